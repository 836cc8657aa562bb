"""The donor summary against one hand-written SQL query of the same figures.

For every donor region of the database and a few periods (whole history,
a calendar year, day-level bounds that cut months), computes
figures.summary.donor_summary() and one hand-written PostgreSQL query of
the same figures (spec, section 6, read straight from the base tables),
checks that the two agree figure for figure, and prints the median time of
each and their ratio. The issue's budget: the summary no slower than 2x the
query. PostgreSQL only; no cache is involved (the function is called
directly).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aid_bench \\
        python bench/donor_bench.py [--runs 7]

Exit status 1 when a figure disagrees.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidtracker.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from aidtracker.lib.periods import Period  # noqa: E402
from figures.overview import donor_regions  # noqa: E402
from figures.summary import donor_summary  # noqa: E402
from outcomes.models import Surgery  # noqa: E402

MINIMALLY_INVASIVE = "('laparoscopic', 'thoracoscopic', 'endoscopic', 'robotic', 'interventional')"

# One statement. `hp`: each hospital's province (its region, or the region's
# parent or grandparent); `p`: the donor's programs; `pc`: those overlapping
# the period. Every bound is inclusive.
SQL = f"""
WITH hp AS (
    SELECT h.code AS hospital, COALESCE(r1.parent_id, r.parent_id, r.code) AS province
    FROM hospitals_hospital h
    JOIN hospitals_region r ON r.code = h.region_id
    LEFT JOIN hospitals_region r1 ON r1.code = r.parent_id
),
p AS (
    SELECT p.code, p.recipient_hospital_id, p.start_date, p.end_date, hp.province AS recipient
    FROM deployments_program p JOIN hp ON hp.hospital = p.recipient_hospital_id
    WHERE p.donor_region_id = %(donor)s
),
pc AS (
    SELECT * FROM p WHERE start_date <= %(to)s AND (end_date IS NULL OR end_date >= %(from)s)
),
rot AS (
    SELECT r.person_id, p.recipient,
           LEAST(r.end_date, %(to)s::date) - GREATEST(r.start_date, %(from)s::date) + 1 AS days
    FROM deployments_rotation r
    JOIN deployments_team t ON t.code = r.team_id
    JOIN p ON p.code = t.program_id
    WHERE r.start_date <= %(to)s AND r.end_date >= %(from)s
),
srg AS (
    SELECT s.lead, s.grade, s.approach, s.demonstration, s.first_in_region, hp.province
    FROM outcomes_surgery s
    JOIN deployments_team t ON t.code = s.team_id
    JOIN p ON p.code = t.program_id
    JOIN hp ON hp.hospital = s.hospital_id
    WHERE s.date BETWEEN %(from)s AND %(to)s
),
twinned AS (
    SELECT s.lead FROM outcomes_surgery s
    WHERE s.date BETWEEN %(from)s AND %(to)s
      AND s.hospital_id IN (SELECT recipient_hospital_id FROM p)
      AND EXISTS (
          SELECT 1 FROM deployments_twinning tw JOIN p ON p.code = tw.program_id
          WHERE p.recipient_hospital_id = s.hospital_id AND tw.specialty_id = s.specialty_id
            AND tw.start_date <= s.date AND (tw.end_date IS NULL OR tw.end_date >= s.date)
      )
),
tr AS (
    SELECT tr.trainee_id, tr.kind,
           tr.start_date <= %(to)s AND (tr.end_date IS NULL OR tr.end_date >= %(from)s) AS in_period,
           tr.independent_on BETWEEN %(from)s AND %(to)s AS independent
    FROM outcomes_training tr JOIN p ON p.code = tr.program_id
),
recipients AS (
    SELECT pc.recipient AS code, COUNT(*) AS programs FROM pc GROUP BY pc.recipient
)
SELECT json_build_object(
    'programs', (SELECT COUNT(*) FROM pc),
    'recipient_hospitals', (SELECT COUNT(DISTINCT recipient_hospital_id) FROM pc),
    'twinned_departments', (
        SELECT COUNT(*) FROM deployments_twinning tw JOIN p ON p.code = tw.program_id
        WHERE tw.start_date <= %(to)s AND (tw.end_date IS NULL OR tw.end_date >= %(from)s)),
    'teams', (
        SELECT COUNT(*) FROM deployments_team t JOIN p ON p.code = t.program_id
        WHERE t.start_date <= %(to)s AND (t.end_date IS NULL OR t.end_date >= %(from)s)),
    'experts', (SELECT COUNT(DISTINCT person_id) FROM rot),
    'expert_days', (SELECT COALESCE(SUM(days), 0) FROM rot),
    'surgeries', (SELECT json_build_object(
        'total', COUNT(*),
        'by_lead', json_build_object(
            'visiting', COUNT(*) FILTER (WHERE lead = 'visiting'),
            'joint', COUNT(*) FILTER (WHERE lead = 'joint'),
            'local', COUNT(*) FILTER (WHERE lead = 'local')),
        'by_grade', json_build_object(
            '1', COUNT(*) FILTER (WHERE grade = 1), '2', COUNT(*) FILTER (WHERE grade = 2),
            '3', COUNT(*) FILTER (WHERE grade = 3), '4', COUNT(*) FILTER (WHERE grade = 4)),
        'minimally_invasive', COUNT(*) FILTER (WHERE approach IN {MINIMALLY_INVASIVE}),
        'demonstration', COUNT(*) FILTER (WHERE demonstration),
        'first_in_region', COUNT(*) FILTER (WHERE first_in_region)) FROM srg),
    'trainees', (SELECT json_build_object(
        'total', COUNT(DISTINCT trainee_id) FILTER (WHERE in_period),
        'by_kind', json_build_object(
            'onsite_course', COUNT(DISTINCT trainee_id) FILTER (WHERE in_period AND kind = 'onsite_course'),
            'mentorship', COUNT(DISTINCT trainee_id) FILTER (WHERE in_period AND kind = 'mentorship'),
            'further_study', COUNT(DISTINCT trainee_id) FILTER (WHERE in_period AND kind = 'further_study')),
        'independent', COUNT(DISTINCT trainee_id) FILTER (WHERE independent),
        'hosted', (
            SELECT COUNT(DISTINCT h.trainee_id) FROM outcomes_training h
            JOIN hp ON hp.hospital = h.host_hospital_id
            WHERE hp.province = %(donor)s AND h.kind = 'further_study'
              AND h.start_date <= %(to)s AND (h.end_date IS NULL OR h.end_date >= %(from)s))
        ) FROM tr),
    'twinned_department_surgeries', (SELECT json_build_object(
        'total', COUNT(*),
        'by_lead', json_build_object(
            'visiting', COUNT(*) FILTER (WHERE lead = 'visiting'),
            'joint', COUNT(*) FILTER (WHERE lead = 'joint'),
            'local', COUNT(*) FILTER (WHERE lead = 'local'))) FROM twinned),
    'techniques', (SELECT json_build_object(
        'total', COUNT(*), 'first_in_region', COUNT(*) FILTER (WHERE q.first_in_region))
        FROM outcomes_technique q JOIN p ON p.code = q.program_id
        WHERE q.introduced_on BETWEEN %(from)s AND %(to)s),
    'consultations', (
        SELECT COUNT(*) FROM outcomes_consultation c JOIN hp ON hp.hospital = c.consulting_hospital_id
        WHERE hp.province = %(donor)s AND c.date BETWEEN %(from)s AND %(to)s),
    'by_recipient', (SELECT COALESCE(json_agg(json_build_object(
        'code', rc.code,
        'programs', rc.programs,
        'experts', (SELECT COUNT(DISTINCT person_id) FROM rot WHERE rot.recipient = rc.code),
        'expert_days', (SELECT COALESCE(SUM(days), 0) FROM rot WHERE rot.recipient = rc.code),
        'surgeries', (SELECT COUNT(*) FROM srg WHERE srg.province = rc.code)
    ) ORDER BY rc.code), '[]'::json) FROM recipients rc)
)
"""

#: Bounds standing for an open period (the query needs dates).
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def by_hand(donor, period):
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"donor": donor, "from": period.start or EARLIEST, "to": period.end or LATEST})
        (value,) = cursor.fetchone()
    return json.loads(value) if isinstance(value, str) else value


def comparable(summary):
    """The summary without what the query does not compute (names, the echo of the arguments)."""
    summary = {k: v for k, v in summary.items() if k not in ("donor", "period")}
    summary["by_recipient"] = [{k: v for k, v in row.items() if k != "name"} for row in summary["by_recipient"]]
    return summary


def timed(function, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The hand-written query is PostgreSQL's: set DATABASE_URL to a PostgreSQL database.")
    print(f"surgeries: {Surgery.objects.count():,}; runs per figure: {args.runs} (median)")
    periods = {
        "all time": Period(),
        "2024": Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        "2023-03-15..2025-02-10": Period(dt.date(2023, 3, 15), dt.date(2025, 2, 10)),
    }
    failed = False
    print(f"{'donor':8} {'period':24} {'summary ms':>11} {'SQL ms':>9} {'ratio':>6}  agree")
    for donor in donor_regions().values_list("code", flat=True):
        for label, period in periods.items():
            ours_ms, ours = timed(lambda: donor_summary(donor, period), args.runs)
            sql_ms, theirs = timed(lambda: by_hand(donor, period), args.runs)
            agree = comparable(ours) == theirs
            failed |= not agree
            print(f"{donor:8} {label:24} {ours_ms:11.1f} {sql_ms:9.1f} {ours_ms / sql_ms:6.2f}  {'yes' if agree else 'NO'}")
            if not agree:
                print("  summary:", json.dumps(comparable(ours), sort_keys=True))
                print("  SQL:    ", json.dumps(theirs, sort_keys=True))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
