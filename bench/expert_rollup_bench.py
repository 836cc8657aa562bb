"""The experts statements, counted from the rotations and read from the
expert rollups (deployments/rollups.py), side by side on one database.

For a recipient region (all time and a year), the donor with most
rotations, /donors/' per-donor experts and the overview's per-region ones,
and the experts-per-month charts: the median time of each statement both
ways (the figures must agree; it stops if not), the rollups' row counts and
the time of a rebuild (rolled back).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \\
        python bench/expert_rollup_bench.py [--runs 7] [--region 540000] [--year 2024]
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidtracker.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from aidtracker.lib.periods import Period  # noqa: E402
from deployments import rollups  # noqa: E402
from deployments.models import ExpertMonth, ExpertSpanMonth, Rotation  # noqa: E402
from figures import definitions as rules  # noqa: E402
from figures.donor import ROTATION_RECIPIENT, _per_donor, experts_per_month_by_recipient  # noqa: E402
from figures.overview import per_province  # noqa: E402
from figures.series import experts_per_month, people_per_month  # noqa: E402
from figures.summary import counted_experts, expert_rollup  # noqa: E402
from hospitals.models import province_of  # noqa: E402


def timed(function, runs):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--region", default="540000")
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    year = Period(dt.date(args.year, 1, 1), dt.date(args.year, 12, 31))
    donor = (Rotation.objects.values_list("team__program__donor_region").annotate(n=Count("pk"))
             .order_by("-n").first()[0])
    donors = list(rules.programs(args.region).values_list("donor_region", flat=True).distinct())

    def region_before(period):
        rotations = rules.rotations(args.region, period)
        return counted_experts(rotations, period, {d: Q(team__program__donor_region=d) for d in donors})

    def donor_before(period):
        return counted_experts(rules.rotations(None, period, donor=donor), period, {})["all"]

    def all_donors_before(period):
        return _per_donor(rules.rotations(None, period), "team__program__donor_region",
                          experts=Count("person", distinct=True))

    def all_regions_before(period):
        return per_province(rules.rotations(None, period), "team__program__recipient_hospital",
                            experts=Count("person", distinct=True))

    cases = [
        (f"region {args.region} all time, by donor", lambda: region_before(Period()),
         lambda: expert_rollup(Period(), region=args.region, by="donor", codes=donors)),
        (f"region {args.region} {args.year}, by donor", lambda: region_before(year),
         lambda: expert_rollup(year, region=args.region, by="donor", codes=donors)),
        (f"donor {donor} all time", lambda: donor_before(Period()),
         lambda: expert_rollup(Period(), donor=donor)["all"]),
        ("/donors/ per donor, all time", lambda: all_donors_before(Period()),
         lambda: expert_rollup(Period(), by="donor")),
        ("overview per region, all time", lambda: all_regions_before(Period()),
         lambda: expert_rollup(Period(), by="region")),
    ]
    print(f"{'statement':40} {'rotations ms':>13} {'rollup ms':>10}")
    for label, before, after in cases:
        t_before, expected = timed(before, args.runs)
        t_after, got = timed(after, args.runs)
        if "per " in label:  # experts only, per code
            assert all(got.get(code, {}).get("experts", 0) == row["experts"] for code, row in expected.items()), label
        else:
            assert got == expected, (label, got, expected)
        print(f"{label:40} {t_before:13.1f} {t_after:10.1f}")

    months = Period(dt.date(args.year - 2, 1, 1), dt.date(args.year, 12, 31))
    series = [
        (f"experts per month {args.region} {months.start.year}-{args.year}",
         lambda: people_per_month(rules.rotations(args.region, months), "person", months),
         lambda: experts_per_month(args.region, months, grouping="month")),
        (f"donor {donor} per month by recipient",
         lambda: (people_per_month(rules.rotations(None, months, donor=donor), "person", months,
                                   by=province_of(ROTATION_RECIPIENT)),
                  people_per_month(rules.rotations(None, months, donor=donor), "person", months)),
         lambda: experts_per_month_by_recipient(donor, months)),
    ]
    for label, before, after in series:
        t_before, _ = timed(before, args.runs)
        t_after, _ = timed(after, args.runs)
        print(f"{label:40} {t_before:13.1f} {t_after:10.1f}")

    print(f"rotations {Rotation.objects.count():,}; expert span rows {ExpertSpanMonth.objects.count():,}; "
          f"experts-per-month rows {ExpertMonth.objects.count():,}")
    with transaction.atomic():
        started = time.perf_counter()
        rollups.rebuild_experts()
        print(f"rebuild of both: {time.perf_counter() - started:.1f} s")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
