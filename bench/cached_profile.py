"""What one request of the load test costs in-process, cached or not.

Signs in as a load-test official (bench/prepare.py) with Django's test
Client, opens each page of the load test once to warm the cache, then opens
it N more times (the overview, a region dashboard, a list, the region and
donor summaries' API, /donors/ and a donor dashboard, uncached and cached
alike; --all-pages adds every other kind of page) and prints, per page: the median and 95th percentile of the
server time, the SQL queries of one warm request (listed with -v) and the
cache calls (get/set/get_many...). With --profile, a cProfile of all warm
requests of every page (top functions by cumulative and own time).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aid_load_bench \\
    CACHE_URL=redis://127.0.0.1:6379/0 \\
        python bench/cached_profile.py --runs 200 [--profile] [-v]

Run it with the settings of the server to compare (DJANGO_DEBUG=0,
DJANGO_CACHE_DISABLED=1 for the uncached path). Loopback only.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidtracker.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from deployments.models import Program  # noqa: E402


class Queries:
    """Records the SQL run while active (Django's CaptureQueriesContext loses
    them: its log is cleared when a request starts)."""

    def __init__(self):
        self.captured = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.captured.append((time.perf_counter() - started, sql))

    def __enter__(self):
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)


class CacheCalls:
    """Counts calls of the default cache's methods while active."""

    METHODS = ("get", "set", "add", "get_many", "set_many", "delete", "touch", "has_key")

    def __init__(self):
        self.calls = {}
        self.cache = caches["default"]
        self._saved = {}

    def __enter__(self):
        for name in self.METHODS:
            original = getattr(self.cache, name)
            self._saved[name] = original

            def wrapper(*args, _name=name, _original=original, **kwargs):
                self.calls[_name] = self.calls.get(_name, 0) + 1
                return _original(*args, **kwargs)

            setattr(self.cache, name, wrapper)
        return self

    def __exit__(self, *exc):
        for name in self._saved:
            delattr(self.cache, name)


def more_pages(code):
    """Every other kind of page, on the biggest program, team and hospital of
    the region `code`."""
    from django.db.models import Count

    from deployments.models import Program, Team
    from outcomes.models import Surgery

    program = Program.objects.for_recipient_region(code).annotate(n=Count("teams")).order_by("-n").first()
    team = Team.objects.filter(program=program).annotate(n=Count("rotations")).order_by("-n").first()
    hospital = program.recipient_hospital_id
    donor = program.donor_region_id
    surgery = Surgery.objects.filter(hospital=hospital).order_by("-date").values_list("pk", flat=True).first()
    return [
        ("region, donor+year", f"/regions/{code}/?donor={donor}&date_after=2024-01-01&date_before=2024-12-31"),
        ("region, specialty", f"/regions/{code}/?specialty=general_surgery"),
        ("program page", f"/programs/{program.code}/"),
        ("team page", f"/teams/{team.code}/"),
        ("hospital page", f"/hospitals/{hospital}/"),
        ("surgery record", f"/surgeries/{surgery}/"),
        ("trainings list", f"/trainings/?region={code}"),
        ("rotations list", f"/rotations/?region={code}"),
        ("techniques list", f"/techniques/?region={code}"),
        ("referrals list", f"/referrals/?region={code}"),
        ("consultations list", f"/consultations/?region={code}"),
        ("programs list", "/programs/"),
        ("hospitals list", "/hospitals/"),
        ("API regions", "/api/v1/regions/"),
    ]


def busiest_donor(code):
    """The donor region with the most programs in the recipient region `code`."""
    return (
        Program.objects.for_recipient_region(code).values_list("donor_region", flat=True)
        .annotate(n=Count("pk")).order_by("-n", "donor_region").first()
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--user", default="bench1")
    parser.add_argument("--password", default="bench-password-0123")
    parser.add_argument("--regions", default="")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--only", default="", help="profile only pages whose label contains this")
    parser.add_argument("--donor", default="",
                        help="the donor region of the donor pages (default: the one with most programs in the region)")
    parser.add_argument("--all-pages", action="store_true",
                        help="also every other kind of page (program, team, hospital, other lists, a record)")
    args = parser.parse_args()

    from figures.overview import recipient_regions

    regions = args.regions.split(",") if args.regions else [r.code for r in recipient_regions()]
    code = regions[0]
    pages = [
        ("overview /", "/"),
        ("region dashboard", f"/regions/{code}/"),
        ("list", f"/surgeries/?region={code}"),
        ("API (2024)", f"/api/v1/regions/{code}/summary?from=2024-01-01&to=2024-12-31"),
    ]
    donor = args.donor or busiest_donor(code)
    pages += [
        ("donor list", "/donors/"),
        ("donor dashboard", f"/donors/{donor}/"),
        ("donor, recip.+year", f"/donors/{donor}/?region={code}&date_after=2024-01-01&date_before=2024-12-31"),
        ("API donor (2024)", f"/api/v1/donors/{donor}/summary?from=2024-01-01&to=2024-12-31"),
    ]
    if args.all_pages:
        pages += more_pages(code)
    client = Client()
    if not client.login(username=args.user, password=args.password):
        sys.exit(f"cannot sign in as {args.user} (run bench/prepare.py first)")
    print(f"cache: {caches['default'].__class__.__name__}; session engine: "
          f"{django.conf.settings.SESSION_ENGINE}")
    profiler = cProfile.Profile() if args.profile else None
    for label, path in pages:
        if args.only and args.only not in label:
            continue
        started = time.perf_counter()
        response = client.get(path)
        first = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        with Queries() as queries, CacheCalls() as cache_calls:
            client.get(path)
        times = []
        cpu_started = time.process_time()
        for _ in range(args.runs):
            if profiler:
                profiler.enable()
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
            if profiler:
                profiler.disable()
        cpu = (time.process_time() - cpu_started) / args.runs
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"{label:18} first {first * 1000:8.1f} ms | warm median {statistics.median(times) * 1000:6.2f} ms"
              f" p95 {p95 * 1000:6.2f} ms | CPU {cpu * 1000:5.2f} ms | {len(queries.captured)} queries | cache {cache_calls.calls}"
              f" | {len(response.content)} bytes")
        if args.verbose:
            for seconds, sql in queries.captured:
                print(f"    {seconds * 1000:7.2f} ms  {sql[:200]}")
    if profiler:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.lines)
            print(out.getvalue())


if __name__ == "__main__":
    main()
