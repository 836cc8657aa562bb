"""Dashboard benchmark (issue 4, "Speed"): fill PostgreSQL at scale, then print
the median and 95th-percentile server time of the overview, a region
dashboard, the summary API and a list page, and compare region_summary()
with the same summary computed by one hand-written SQL query.

    createdb -h 127.0.0.1 -U postgres aid_summary_bench
    DATABASE_URL='postgres://postgres@127.0.0.1:5432/aid_summary_bench?options=-c%20jit%3Doff' \\
        .venv/bin/python bench/dashboard_bench.py [--runs 15] [--refill]

(jit=off: PostgreSQL's JIT compiler otherwise spends ~60 ms compiling the
experts-per-month query, whose generate_series it over-estimates; the same
option belongs in production's DATABASE_URL.)

The first run fills the database (about 1,000,000 surgeries, 200,000
trainings, 20,000 rotations; a few minutes) and keeps it: later runs only
time. --refill empties the outcome and deployment tables and fills again.
Pages are requested in-process through Django's test Client with a signed-in
user (server time without the network); a URL that answers 404 does not
exist in this checkout and is skipped, which the output says. Timings are
wall-clock on whatever machine runs it: ours is a shared 2-core machine.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidtracker.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from figures.overview import overview  # noqa: E402
from figures.series import region_charts, region_dashboard  # noqa: E402
from figures.summary import region_summary  # noqa: E402
from hospitals.models import province_of  # noqa: E402
from django.db.models import Count  # noqa: E402
from deployments.models import Person, Program, Rotation, Team, Twinning  # noqa: E402
from hospitals.models import Hospital, Region, Specialty  # noqa: E402
from aidtracker.lib.periods import Period  # noqa: E402
from outcomes.models import Surgery  # noqa: E402

DONORS = [
    ("110000", "Beijing"), ("120000", "Tianjin"), ("310000", "Shanghai"), ("320000", "Jiangsu"),
    ("330000", "Zhejiang"), ("370000", "Shandong"), ("440000", "Guangdong"), ("610000", "Shaanxi"),
]
RECIPIENTS = [
    ("540000", "Tibet Autonomous Region", ["540100", "540200", "540300", "540400", "540500", "540600", "542500"]),
    ("650000", "Xinjiang Uygur Autonomous Region", ["650100", "650200", "652300", "653100", "653200", "654000"]),
    ("630000", "Qinghai", ["630100", "630200", "632200", "632500"]),
]
FIRST_YEAR, LAST_DAY = 2015, dt.date(2026, 6, 30)


# ----------------------------------------------------------------------------- filling


def fill_reference_and_deployments(target_rotations: int) -> None:
    """Regions, hospitals, programs, twinnings, teams, people and rotations
    (bulk_create: tens of thousands of rows)."""
    regions, hospitals = [], []
    for code, name in DONORS:
        regions.append(Region(code=code, name=name, level="province"))
        hospitals += [
            Hospital(code=f"D-{code}-{i}", name=f"{name} hospital {i}", region_id=code, grade="3A", kind="general")
            for i in range(1, 6)
        ]
    recipient_hospitals = []  # (hospital code, level)
    for code, name, prefectures in RECIPIENTS:
        regions.append(Region(code=code, name=name, level="province"))
        recipient_hospitals.append((f"R-{code}", "province"))
        for pref in prefectures:
            regions.append(Region(code=pref, name=f"Prefecture {pref}", level="prefecture", parent_id=code))
            recipient_hospitals.append((f"R-{pref}", "prefecture"))
            for county in range(21, 24):
                ccode = f"{pref[:4]}{county}"
                regions.append(Region(code=ccode, name=f"County {ccode}", level="county", parent_id=pref))
                recipient_hospitals.append((f"R-{ccode}", "county"))
    region_of = {}
    for h, _level in recipient_hospitals:
        region_of[h] = h[2:]
    hospitals += [
        Hospital(code=h, name=f"People's Hospital {h[2:]}", region_id=region_of[h],
                 grade="2B" if level == "county" else "3A", kind="general")
        for h, level in recipient_hospitals
    ]
    Region.objects.bulk_create(regions, ignore_conflicts=True)
    Hospital.objects.bulk_create(hospitals, ignore_conflicts=True)

    specialties = list(Specialty.objects.order_by("code").values_list("code", flat=True))
    programs, twinnings, teams = [], [], []
    n = 0
    for h, level in recipient_hospitals:
        for k in range(1 if level == "county" else 2):
            donor = DONORS[(n + k) % len(DONORS)][0]
            start_year = FIRST_YEAR + n % 4
            end = dt.date(2023, 12, 31) if n % 7 == 3 else None
            code = f"PG-{h[2:]}-{k}"
            programs.append(Program(code=code, name=f"Program {code}", kind="group_aid", donor_region_id=donor,
                                    recipient_hospital_id=h, start_date=dt.date(start_year, 7, 1), end_date=end))
            for j in range(3):
                twinnings.append(Twinning(program_id=code, specialty_id=specialties[(n + j * 5) % len(specialties)],
                                          donor_hospital_id=f"D-{donor}-{1 + j % 5}",
                                          start_date=dt.date(start_year, 7, 1), end_date=end))
            last_year = (end or LAST_DAY).year
            for batch, year in enumerate(range(start_year, last_year), start=1):
                teams.append(Team(code=f"{code}-{batch}", program_id=code, name=f"Group {batch}", batch=batch,
                                  start_date=dt.date(year, 7, 1), end_date=dt.date(year + 1, 6, 30)))
            n += 1
    Program.objects.bulk_create(programs)
    Twinning.objects.bulk_create(twinnings)
    Team.objects.bulk_create(teams)

    # Rotations: the same slot of a program returns up to three years running
    # (rotations lie inside their team's year, so one person's never overlap).
    per_team = -(-target_rotations // len(teams))
    people, rotations = {}, []
    for team in teams:
        for slot in range(per_team):
            if len(rotations) == target_rotations:
                break
            person = f"{team.program_id}-{slot}-{team.start_date.year // 3}"
            people.setdefault(person, Person(code=person, name=f"Expert {person}",
                                             home_hospital_id=f"D-{DONORS[slot % 8][0]}-{1 + slot % 5}"))
            start = team.start_date + dt.timedelta(days=(slot * 7) % 60)
            end = min(start + dt.timedelta(days=90 + (slot * 37) % 240), team.end_date)
            rotations.append(Rotation(team=team, person_id=person, specialty_id=specialties[slot % len(specialties)],
                                      title="attending", role="member", start_date=start, end_date=end))
    Person.objects.bulk_create(people.values(), batch_size=5000)
    Rotation.objects.bulk_create(rotations, batch_size=5000)


FILL_SQL = [
    # Surgeries: 60% by a team (at its program's hospital, in its year), the
    # rest at any recipient hospital; the local share grows over the years.
    """
    INSERT INTO outcomes_surgery (ref, date, hospital_id, specialty_id, procedure, grade, approach, lead,
                                  team_id, demonstration, first_in_region, outcome, blood_loss_ml)
    SELECT 'S' || lpad(x.g::text, 8, '0'), x.day,
           CASE WHEN x.with_team THEN t.hosp[x.ti] ELSE hs.codes[x.hi] END,
           sp.codes[x.si], 'Procedure ' || x.si, 1 + floor(x.r1 * 4)::int,
           (ARRAY['open','laparoscopic','thoracoscopic','endoscopic','robotic','interventional','other'])[1 + floor(x.r2 * 7)::int],
           CASE WHEN x.r3 < 0.1 + 0.05 * (extract(year FROM x.day) - 2015) THEN 'local'
                WHEN x.r3 < 0.5 + 0.03 * (extract(year FROM x.day) - 2015) THEN 'joint' ELSE 'visiting' END,
           CASE WHEN x.with_team THEN t.codes[x.ti] END,
           x.r4 < 0.08, x.r4 > 0.99, CASE WHEN x.r5 < 0.97 THEN 'success' ELSE 'complication' END, NULL
    FROM generate_series(1, %(surgeries)s) gs,
         (SELECT array_agg(t.code ORDER BY t.code) codes, array_agg(p.recipient_hospital_id ORDER BY t.code) hosp,
                 array_agg(t.start_date ORDER BY t.code) starts, count(*)::int n
          FROM deployments_team t JOIN deployments_program p ON p.code = t.program_id) t,
         (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_hospital WHERE code IN (SELECT recipient_hospital_id FROM deployments_program)) hs,
         (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_specialty) sp,
         LATERAL (
             SELECT y.*, CASE WHEN y.with_team THEN t.starts[y.ti] + floor(y.r6 * 365)::int
                              ELSE DATE '2015-01-01' + floor(y.r6 * (DATE '2026-06-30' - DATE '2015-01-01'))::int END AS day
             FROM (SELECT gs AS g, 1 + floor(random() * t.n)::int AS ti, random() < 0.6 AS with_team,
                          1 + floor(random() * hs.n)::int AS hi, 1 + floor(random() * sp.n)::int AS si,
                          random() r1, random() r2, random() r3, random() r4, random() r5, random() r6) y
         ) x
    """,
    """
    INSERT INTO outcomes_trainee (code, name, hospital_id, role)
    SELECT 'L' || lpad(g::text, 7, '0'), 'Trainee ' || g, hs.codes[1 + floor(random() * hs.n)::int + 0 * g],
           (ARRAY['doctor','nurse','technician','manager'])[1 + floor(random() * 4)::int]
    FROM (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_hospital WHERE code IN (SELECT recipient_hospital_id FROM deployments_program)) hs,
         generate_series(1, %(trainees)s) g
    """,
    """
    INSERT INTO outcomes_training (ref, trainee_id, specialty_id, kind, host_hospital_id, program_id, start_date,
                                   end_date, hours, status, independent_on, skill)
    SELECT 'TR' || lpad(x.g::text, 7, '0'), 'L' || lpad((1 + floor(x.r1 * %(trainees)s))::int::text, 7, '0'),
           sp.codes[1 + floor(x.r2 * sp.n)::int], x.kind,
           CASE WHEN x.kind = 'further_study' THEN dh.codes[1 + floor(x.r3 * dh.n)::int] END,
           CASE WHEN x.r3 < 0.7 THEN pg.codes[1 + floor(x.r4 * pg.n)::int] END,
           x.start, CASE WHEN x.r5 < 0.1 THEN NULL ELSE x.start + 30 + floor(x.r5 * 300)::int END,
           NULL, CASE WHEN x.r5 < 0.1 THEN 'ongoing' ELSE 'completed' END,
           CASE WHEN x.r5 BETWEEN 0.1 AND 0.4 THEN x.start + 60 + floor(x.r5 * 300)::int END, ''
    FROM generate_series(1, %(trainings)s) gs,
         (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_specialty) sp,
         (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_hospital WHERE region_id IN (SELECT donor_region_id FROM deployments_program)) dh,
         (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM deployments_program) pg,
         LATERAL (SELECT gs AS g, random() r1, random() r2, random() r3, random() r4, random() r5,
                         (ARRAY['onsite_course','mentorship','further_study'])[1 + floor(random() * 3)::int] AS kind,
                         DATE '2015-01-01' + floor(random() * (DATE '2026-06-30' - DATE '2015-01-01'))::int AS start) x
    """,
    """
    INSERT INTO outcomes_technique (ref, hospital_id, specialty_id, name, introduced_on, program_id, first_in_region)
    SELECT 'TQ' || lpad(g::text, 6, '0'), hs.codes[1 + floor(random() * hs.n)::int + 0 * g],
           sp.codes[1 + floor(random() * sp.n)::int], 'Technique ' || g,
           DATE '2015-01-01' + floor(random() * 4200)::int, NULL, random() < 0.3
    FROM (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_hospital WHERE code IN (SELECT recipient_hospital_id FROM deployments_program)) hs,
         (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_specialty) sp,
         generate_series(1, %(techniques)s) g
    """,
    """
    INSERT INTO outcomes_referral (ref, date, kind, origin_hospital_id, origin_region_id, origin_country,
                                   destination_hospital_id, destination_region_id, age_group, outcome)
    SELECT 'RF' || lpad(x.g::text, 7, '0'), DATE '2015-01-01' + floor(x.r1 * 4200)::int, x.kind,
           CASE WHEN x.kind = 'referral_out' THEN hs.codes[x.i1] END,
           CASE WHEN x.kind = 'transfer_in' THEN hs.regions[x.i2] END,
           CASE WHEN x.kind = 'international' THEN 'NP' ELSE '' END,
           CASE WHEN x.kind <> 'referral_out' THEN hs.codes[x.i1] END,
           CASE WHEN x.kind = 'referral_out' THEN (SELECT min(donor_region_id) FROM deployments_program) END,
           'adult', 'unknown'
    FROM generate_series(1, %(referrals)s) gs,
         (SELECT array_agg(code ORDER BY code) codes, array_agg(region_id ORDER BY code) regions,
                 count(*)::int n
          FROM hospitals_hospital WHERE code IN (SELECT recipient_hospital_id FROM deployments_program)) hs,
         LATERAL (SELECT gs AS g, random() r1,
                         (ARRAY['transfer_in','transfer_in','referral_out','international'])[1 + floor(random() * 4)::int] AS kind,
                         1 + floor(random() * hs.n)::int AS i1,
                         1 + floor(random() * hs.n)::int AS i2) x
    """,
    """
    INSERT INTO outcomes_consultation (ref, date, requesting_hospital_id, consulting_hospital_id, specialty_id, mode)
    SELECT 'C' || lpad(g::text, 7, '0'), DATE '2015-01-01' + floor(random() * 4200)::int + 0 * g,
           hs.codes[1 + floor(random() * hs.n)::int], dh.codes[1 + floor(random() * dh.n)::int],
           sp.codes[1 + floor(random() * sp.n)::int], 'remote'
    FROM (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_hospital WHERE code IN (SELECT recipient_hospital_id FROM deployments_program)) hs,
         (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_hospital WHERE region_id IN (SELECT donor_region_id FROM deployments_program)) dh,
         (SELECT array_agg(code ORDER BY code) codes, count(*)::int n FROM hospitals_specialty) sp,
         generate_series(1, %(consultations)s) g
    """,
]

TABLES_TO_EMPTY = [
    "outcomes_consultation", "outcomes_referral", "outcomes_technique", "outcomes_training",
    "outcomes_trainee", "outcomes_surgery", "outcomes_indicatorvalue", "deployments_rotation",
    "deployments_person", "deployments_team", "deployments_twinning", "deployments_program",
    "hospitals_hospital", "hospitals_region",
]


def fill(scale: dict, own_filler: bool) -> None:
    """Empty the tables, then fill them: with the project's `generate_data`
    command where it exists (surgeries, trainings, rotations and their
    world), else with this script's own filler; techniques, referrals and
    consultations always come from the SQL above."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute("TRUNCATE " + ", ".join(TABLES_TO_EMPTY) + " CASCADE")
    use_command = "generate_data" in get_commands() and not own_filler
    print("filler:", "manage.py generate_data" if use_command else "this script's own")
    if use_command:
        call_command(
            "generate_data", surgeries=scale["surgeries"], trainings=scale["trainings"],
            rotations=scale["rotations"], verbosity=1,
        )
        statements = FILL_SQL[3:]  # techniques, referrals, consultations
    else:
        statements = FILL_SQL
    with transaction.atomic():
        if not use_command:
            fill_reference_and_deployments(scale["rotations"])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, scale)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"filled in {time.perf_counter() - started:.0f} s")


# ----------------------------------------------------------------------------- the hand-written SQL

HAND_SQL = """
WITH h AS (
    SELECT h.code FROM hospitals_hospital h
    JOIN hospitals_region r ON r.code = h.region_id
    LEFT JOIN hospitals_region pr ON pr.code = r.parent_id
    WHERE r.code = %(r)s OR r.parent_id = %(r)s OR pr.parent_id = %(r)s
),
prog AS (
    SELECT code, donor_region_id,
           start_date <= %(e)s AND (end_date IS NULL OR end_date >= %(s)s) AS in_period
    FROM deployments_program WHERE recipient_hospital_id IN (SELECT code FROM h)
),
donors AS (
    SELECT p.donor_region_id AS code, r.name, count(*) AS programs
    FROM prog p JOIN hospitals_region r ON r.code = p.donor_region_id
    WHERE p.in_period GROUP BY 1, 2
),
rot AS (
    SELECT r.person_id, p.donor_region_id AS donor,
           LEAST(r.end_date, %(e)s) - GREATEST(r.start_date, %(s)s) + 1 AS days
    FROM deployments_rotation r
    JOIN deployments_team t ON t.code = r.team_id
    JOIN prog p ON p.code = t.program_id
    WHERE r.start_date <= %(e)s AND r.end_date >= %(s)s
),
rot_donor AS (SELECT donor, count(DISTINCT person_id) AS experts, sum(days) AS days FROM rot GROUP BY donor),
surg AS (
    SELECT tp.donor_region_id AS donor, count(*) AS total,
           count(*) FILTER (WHERE s.lead = 'visiting') AS visiting,
           count(*) FILTER (WHERE s.lead = 'joint') AS joint,
           count(*) FILTER (WHERE s.lead = 'local') AS local,
           count(*) FILTER (WHERE s.grade = 1) AS g1, count(*) FILTER (WHERE s.grade = 2) AS g2,
           count(*) FILTER (WHERE s.grade = 3) AS g3, count(*) FILTER (WHERE s.grade = 4) AS g4,
           count(*) FILTER (WHERE s.approach IN ('laparoscopic', 'thoracoscopic', 'endoscopic',
                                                 'robotic', 'interventional')) AS mi,
           count(*) FILTER (WHERE s.demonstration) AS demo,
           count(*) FILTER (WHERE s.first_in_region) AS fir
    FROM outcomes_surgery s
    LEFT JOIN deployments_team t ON t.code = s.team_id
    LEFT JOIN deployments_program tp ON tp.code = t.program_id
    WHERE s.hospital_id IN (SELECT code FROM h) AND s.date BETWEEN %(s)s AND %(e)s
    GROUP BY tp.donor_region_id
),
trn AS (
    SELECT count(DISTINCT tr.trainee_id) FILTER (WHERE tr.ov) AS total,
           count(DISTINCT tr.trainee_id) FILTER (WHERE tr.ov AND tr.kind = 'onsite_course') AS onsite,
           count(DISTINCT tr.trainee_id) FILTER (WHERE tr.ov AND tr.kind = 'mentorship') AS mentorship,
           count(DISTINCT tr.trainee_id) FILTER (WHERE tr.ov AND tr.kind = 'further_study') AS further,
           count(DISTINCT tr.trainee_id) FILTER (WHERE tr.ind) AS independent
    FROM (SELECT tr.trainee_id, tr.kind,
                 tr.start_date <= %(e)s AND (tr.end_date IS NULL OR tr.end_date >= %(s)s) AS ov,
                 tr.independent_on BETWEEN %(s)s AND %(e)s AS ind
          FROM outcomes_training tr JOIN outcomes_trainee te ON te.code = tr.trainee_id
          WHERE te.hospital_id IN (SELECT code FROM h)) tr
    WHERE tr.ov OR tr.ind
),
tech AS (
    SELECT count(*) AS total, count(*) FILTER (WHERE first_in_region) AS fir FROM outcomes_technique
    WHERE hospital_id IN (SELECT code FROM h) AND introduced_on BETWEEN %(s)s AND %(e)s
),
ref AS (
    SELECT count(*) FILTER (WHERE kind = 'transfer_in' AND destination_hospital_id IN (SELECT code FROM h)) AS ti,
           count(*) FILTER (WHERE kind = 'referral_out' AND origin_hospital_id IN (SELECT code FROM h)) AS ro,
           count(*) FILTER (WHERE kind = 'international' AND destination_hospital_id IN (SELECT code FROM h)) AS intl
    FROM outcomes_referral WHERE date BETWEEN %(s)s AND %(e)s
      AND (destination_hospital_id IN (SELECT code FROM h) OR origin_hospital_id IN (SELECT code FROM h))
),
cons AS (
    SELECT count(*) AS n FROM outcomes_consultation
    WHERE requesting_hospital_id IN (SELECT code FROM h) AND date BETWEEN %(s)s AND %(e)s
),
st AS (
    SELECT coalesce(sum(total), 0) total, coalesce(sum(visiting), 0) visiting, coalesce(sum(joint), 0) joint,
           coalesce(sum(local), 0) local, coalesce(sum(g1), 0) g1, coalesce(sum(g2), 0) g2,
           coalesce(sum(g3), 0) g3, coalesce(sum(g4), 0) g4, coalesce(sum(mi), 0) mi,
           coalesce(sum(demo), 0) demo, coalesce(sum(fir), 0) fir
    FROM surg
)
SELECT json_build_object(
    'region', json_build_object('code', reg.code, 'name', reg.name),
    'period', json_build_object('from', %(from)s::text, 'to', %(to)s::text),
    'programs', (SELECT coalesce(sum(programs), 0) FROM donors),
    'twinned_departments', (SELECT count(*) FROM deployments_twinning tw JOIN prog p ON p.code = tw.program_id
                            WHERE tw.start_date <= %(e)s AND (tw.end_date IS NULL OR tw.end_date >= %(s)s)),
    'teams', (SELECT count(*) FROM deployments_team t JOIN prog p ON p.code = t.program_id
              WHERE t.start_date <= %(e)s AND t.end_date >= %(s)s),
    'experts', (SELECT count(DISTINCT person_id) FROM rot),
    'expert_days', (SELECT coalesce(sum(days), 0) FROM rot),
    'surgeries', json_build_object(
        'total', st.total,
        'by_lead', json_build_object('visiting', st.visiting, 'joint', st.joint, 'local', st.local),
        'by_grade', json_build_object('1', st.g1, '2', st.g2, '3', st.g3, '4', st.g4),
        'minimally_invasive', st.mi, 'demonstration', st.demo, 'first_in_region', st.fir),
    'trainees', json_build_object(
        'total', trn.total,
        'by_kind', json_build_object('onsite_course', trn.onsite, 'mentorship', trn.mentorship,
                                     'further_study', trn.further),
        'independent', trn.independent),
    'techniques', json_build_object('total', tech.total, 'first_in_region', tech.fir),
    'referrals', json_build_object('transfer_in', ref.ti, 'referral_out', ref.ro, 'international', ref.intl),
    'consultations', cons.n,
    'by_donor', (SELECT coalesce(json_agg(json_build_object(
                     'code', d.code, 'name', d.name, 'programs', d.programs,
                     'experts', coalesce(rd.experts, 0), 'expert_days', coalesce(rd.days, 0),
                     'surgeries', coalesce(sd.total, 0)) ORDER BY d.code), '[]'::json)
                 FROM donors d LEFT JOIN rot_donor rd ON rd.donor = d.code
                 LEFT JOIN surg sd ON sd.donor = d.code)
)
FROM hospitals_region reg, st, trn, tech, ref, cons
WHERE reg.code = %(r)s
"""


def hand_written_summary(code: str, period: Period) -> dict:
    params = {
        "r": code,
        "s": period.start or dt.date(1, 1, 1),
        "e": period.end or dt.date(9999, 12, 31),
        "from": period.start.isoformat() if period.start else None,
        "to": period.end.isoformat() if period.end else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, params)
        return cursor.fetchone()[0]


# ----------------------------------------------------------------------------- timing


def timed(fn, runs: int) -> tuple[float, float]:
    """(median, p95) in milliseconds of `runs` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def row(label, median, p95, note=""):
    print(f"  {label:<58} median {median:8.1f} ms   p95 {p95:8.1f} ms  {note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--surgeries", type=int, default=1_000_000)
    parser.add_argument("--trainings", type=int, default=200_000)
    parser.add_argument("--rotations", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per measurement")
    parser.add_argument("--region", help="region code (default: the recipient region with most surgeries)")
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--own-filler", action="store_true",
                        help="fill with this script's SQL even where generate_data exists")
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    settings.DEBUG = False  # no query log, as in production
    call_command("migrate", verbosity=0)

    scale = {
        "surgeries": args.surgeries, "trainings": args.trainings, "rotations": args.rotations,
        "trainees": args.trainings // 2, "techniques": 5_000, "referrals": 50_000, "consultations": 50_000,
    }
    if args.refill or Surgery.objects.count() != args.surgeries:
        print(f"filling {connection.settings_dict['NAME']}: {scale}")
        fill(scale, args.own_filler)
    counts = {m.__name__: m.objects.count() for m in (Surgery, Rotation, Program, Team)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM outcomes_training")
        counts["Training"] = cursor.fetchone()[0]
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    print(f"database: {version} (jit {jit}); rows: {counts}; {os.cpu_count()} CPUs (shared)")
    with open("/proc/loadavg") as handle:
        print(f"load average before timing: {handle.read().split()[:3]}")

    if args.region:
        region = Region.objects.get(code=args.region)
    else:
        busiest = (
            Surgery.objects.order_by().values(prov=province_of("hospital"))
            .annotate(n=Count("hospital")).order_by("-n").first()
        )
        region = Region.objects.get(code=busiest["prov"])
    in_region = Surgery.objects.in_region(region).count()
    print(f"region {region.code} {region.name}: {in_region} surgeries\n")

    periods = {"all time": Period(), "2024": Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))}
    print("region summary: region_summary() against one hand-written SQL query")
    for label, period in periods.items():
        ours, theirs = region_summary(region, period), hand_written_summary(region.code, period)
        same = "same result" if ours == theirs else "DIFFERENT RESULT"
        m1, p1 = timed(lambda: region_summary(region, period), args.runs)
        m2, p2 = timed(lambda: hand_written_summary(region.code, period), args.runs)
        row(f"region_summary(), {label}", m1, p1)
        row(f"hand-written SQL, {label}", m2, p2, f"ratio {m1 / m2:.2f}x, {same}")
    for label, period in periods.items():
        m, p = timed(lambda: region_charts(region, period), args.runs)
        row(f"region_charts(), {label}", m, p)
        m, p = timed(lambda: region_dashboard(region, period), args.runs)
        row(f"region_dashboard() = summary + charts, {label}", m, p)
    m, p = timed(lambda: overview(Period()), args.runs)
    row("overview(), all time", m, p)

    print("\nserver time through Django's test Client (signed in)")
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True, "is_staff": True})
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    urls = [
        "/",
        f"/regions/{region.code}/",
        f"/regions/{region.code}/?date_after=2024-01-01&date_before=2024-12-31",
        f"/api/v1/regions/{region.code}/summary",
        f"/api/v1/regions/{region.code}/summary?from=2024-01-01&to=2024-12-31",
        "/surgeries/",
        f"/surgeries/?region={region.code}&date_after=2024-01-01&date_before=2024-12-31",
    ]
    for url in urls:
        status = client.get(url).status_code
        if status == 404:
            print(f"  {url:<58} skipped: 404, not in this checkout")
            continue
        if status != 200:
            print(f"  {url:<58} skipped: status {status}")
            continue
        m, p = timed(lambda: client.get(url), args.runs)
        row(url, m, p)
    with open("/proc/loadavg") as handle:
        print(f"\nload average after timing: {handle.read().split()[:3]}")


if __name__ == "__main__":
    main()
