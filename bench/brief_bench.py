"""The printable brief's cost (issue 19, "Speed"): its HTML against the
region dashboard's for the same period, uncached, and its PDF's time.

    DJANGO_CACHE_DISABLED=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/aid_1m \\
        .venv/bin/python bench/brief_bench.py [--runs 7] [--region 540000] [--year 2024] [--donor 310000]

Pages are requested in-process through Django's test Client by a
superuser (server time without the network), the dashboard and the brief
alternating run by run so that the machine's noise falls on both alike.
Prints per page the median CPU time of this process (time.process_time:
Python's work; the database's is in its own process) and the median
wall-clock time, and the brief's ratio to the dashboard. The issue's
targets: the brief's HTML at most 2x the dashboard's CPU, the PDF of a
year within 3 s. The first PDF of a process also loads WeasyPrint and its
fonts: it is printed apart, and not in the median.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cached_profile  # noqa: E402, F401  (the same production-like settings: django.setup())

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from dashboards import svgcharts  # noqa: E402
from outcomes.models import Surgery  # noqa: E402


def timed(client, url):
    """(CPU seconds, wall seconds, response) of one request."""
    cpu, wall = time.process_time(), time.perf_counter()
    response = client.get(url)
    return time.process_time() - cpu, time.perf_counter() - wall, response


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--region", default="540000")
    parser.add_argument("--donor", default="", help="also time this donor's dashboard and brief")
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    if not os.environ.get("DJANGO_CACHE_DISABLED"):
        print("warning: DJANGO_CACHE_DISABLED is not set: cached pages would be timed", file=sys.stderr)

    user, _created = get_user_model().objects.get_or_create(
        username="brief-bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    y = args.year
    dates = f"?date_after={y}-01-01&date_before={y}-12-31"
    pairs = [(f"/regions/{args.region}/{dates}", f"/regions/{args.region}/report/?year={y}",
              f"/regions/{args.region}/report.pdf?year={y}")]
    if args.donor:
        pairs.append((f"/donors/{args.donor}/{dates}", f"/donors/{args.donor}/report/?year={y}",
                      f"/donors/{args.donor}/report.pdf?year={y}"))
    print(f"database {settings.DATABASES['default']['NAME']}: {Surgery.objects.count():,} surgeries; "
          f"{args.runs} runs; cache {'off' if os.environ.get('DJANGO_CACHE_DISABLED') else 'ON'}")
    for dashboard, brief, pdf in pairs:
        for url in (dashboard, brief):  # warm: imports, templates, the database's pages
            status = client.get(url).status_code
            assert status == 200, (url, status)
        cpu0, wall0, first = timed(client, pdf)
        assert first.status_code == 200, (pdf, first.status_code)
        # The brief with its charts drawn anew (the memo of drawings emptied
        # first: the cost of a period nobody asked for yet), and as it is
        # when the same figures are asked again.
        drawn = f"{brief} (charts drawn anew)"
        times = {dashboard: [], drawn: [], brief: [], pdf: []}
        for _run in range(args.runs):
            for url in (dashboard, drawn, brief, pdf):
                if url == drawn:
                    svgcharts.drawn.cache_clear()
                cpu, wall, _response = timed(client, url.split(" ")[0])
                times[url].append((cpu, wall))
        med = {url: (statistics.median(c for c, _w in t), statistics.median(w for _c, w in t))
               for url, t in times.items()}
        print(f"\n{'page':<78} {'CPU ms':>8} {'wall ms':>8}")
        for url, (cpu, wall) in med.items():
            print(f"{url:<78} {cpu * 1000:8.0f} {wall * 1000:8.0f}")
        print(f"{'first PDF of the process (loads WeasyPrint)':<78} {cpu0 * 1000:8.0f} {wall0 * 1000:8.0f}")
        for url in (drawn, brief):
            print(f"{url.replace(brief, 'brief HTML')} / dashboard, CPU: {med[url][0] / med[dashboard][0]:.2f}x "
                  f"(target <= 2x); wall: {med[url][1] / med[dashboard][1]:.2f}x")
        print(f"PDF of {y}, wall: {med[pdf][1]:.2f} s (target <= 3 s); {len(first.content) // 1024} KB")


if __name__ == "__main__":
    main()
