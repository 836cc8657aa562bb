"""What grows with the data: every page on two databases side by side.

Fills (once, unless they exist) two PostgreSQL databases with generate_data,
a small one and one ten times its size, then opens every page of
bench/cached_profile.py (--all-pages) on both, in-process with Django's test
Client, alternating the two databases run by run so that the machine's
noise falls on both alike. Prints per page the median server time on each,
their ratio, the queries of one request on each, and the HTML's size on each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
    DJANGO_CACHE_DISABLED=1 python bench/scale_bench.py [--runs 7]

Issue 18's sizes are the defaults: 1,000,000 surgeries, 200,000 trainings,
20,000 rotations against 10,000,000, 2,000,000 and 200,000 (the larger takes
about 15 minutes to fill and 6 GB). Its goals: every page at most 2x its
small time on the large database and none over 250 ms, the same queries per
page on both, and no page whose HTML grows with the data. The databases are
on DATABASE_URL's server, named --small and --large; --refill makes them
again. Run it with the cache disabled (the uncached path is what grows).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import cached_profile  # noqa: E402  (sets the settings up: django.setup())
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402


def url_of(name):
    settings = connections["default"].settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"


def exists(name):
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def fill(name, surgeries, trainings, rotations):
    """Make database `name` with generate_data's rows and the bench users."""
    env = {**os.environ, "DATABASE_URL": url_of(name) + "?options=-c%20jit%3Doff"}
    with connections["default"].cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.monotonic()
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*manage, "generate_data", f"--surgeries={surgeries}", f"--trainings={trainings}",
         f"--rotations={rotations}", "-v0"], env=env, check=True,
    )
    subprocess.run(["psql", env["DATABASE_URL"].split("?")[0], "-qc", "VACUUM ANALYZE"], check=True)
    subprocess.run([sys.executable, str(BENCH / "prepare.py"), "16", "benchpass"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"filled {name} in {time.monotonic() - started:.0f} s", flush=True)


def use(name):
    """Point the default connection at database `name`."""
    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = name


def pages(code):
    """The pages of cached_profile --all-pages, on the current database."""
    donor = cached_profile.busiest_donor(code)
    return [
        ("overview /", "/"),
        ("region dashboard", f"/regions/{code}/"),
        ("surgery list", f"/surgeries/?region={code}"),
        ("API (2024)", f"/api/v1/regions/{code}/summary?from=2024-01-01&to=2024-12-31"),
        ("donor list", "/donors/"),
        ("donor dashboard", f"/donors/{donor}/"),
        ("API donor (2024)", f"/api/v1/donors/{donor}/summary?from=2024-01-01&to=2024-12-31"),
        *cached_profile.more_pages(code),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", default="aid_1m")
    parser.add_argument("--large", default="aid_10m")
    parser.add_argument("--scale", type=int, default=1_000_000, help="surgeries of the small database")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--region", default="540000")
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    args = parser.parse_args()

    for name, factor in ((args.small, 1), (args.large, 10)):
        if args.refill or not exists(name):
            fill(name, args.scale * factor, args.scale * factor // 5, args.scale * factor // 50)

    sides = {}
    for name in (args.small, args.large):
        use(name)
        client = Client()
        if not client.login(username="bench1", password="benchpass"):
            sys.exit(f"cannot sign in on {name} (bench/prepare.py makes the users)")
        sides[name] = {"client": client, "pages": dict(pages(args.region))}
    labels = [label for label in sides[args.small]["pages"] if args.only in label]

    print(f"{'page':20} {'small ms':>9} {'large ms':>9} {'ratio':>6}  {'queries':>9}  {'HTML KB':>15}")
    worst = []
    for label in labels:
        times = {name: [] for name in sides}
        queries, sizes = {}, {}
        for name, side in sides.items():  # one warm-up each, its queries counted
            use(name)
            with cached_profile.Queries() as captured:
                response = side["client"].get(side["pages"][label])
            assert response.status_code == 200, (name, label, response.status_code)
            queries[name], sizes[name] = len(captured.captured), len(response.content)
        for _ in range(args.runs):
            for name, side in sides.items():
                use(name)
                side["client"].get(side["pages"][label])  # a new connection's first request
                started = time.perf_counter()
                side["client"].get(side["pages"][label])
                times[name].append(time.perf_counter() - started)
        small, large = (statistics.median(times[n]) * 1000 for n in (args.small, args.large))
        q_small, q_large = queries[args.small], queries[args.large]
        print(f"{label:20} {small:9.1f} {large:9.1f} {large / small:5.1f}x  {q_small:4} {q_large:4}"
              f"  {sizes[args.small] / 1024:7.0f} {sizes[args.large] / 1024:7.0f}", flush=True)
        if large / small > 2 or large > 250 or q_small != q_large:
            worst.append(label)
    print(f"\npages over a goal (2x, 250 ms, or queries that differ): {', '.join(worst) or 'none'}")


if __name__ == "__main__":
    main()
