"""Print locust's CSV statistics as requests/s, median, p95 and errors.

    python bench/report.py LABEL STATS_CSV
    python bench/report.py --targets UNCACHED_STATS_CSV CACHED_STATS_CSV
"""

import csv
import json
import os
import sys

DASHBOARD = "region dashboard /regions/<code>/"


def rows(path):
    with open(path, newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def pages(stats):
    return {n: r for n, r in stats.items() if n != "Aggregated" and not n.startswith("sign in")}


def totals(stats):
    page_rows = pages(stats)
    return {
        "rps": sum(float(r["Requests/s"]) for r in page_rows.values()),
        "requests": sum(int(r["Request Count"]) for r in page_rows.values()),
        "errors": sum(int(r["Failure Count"]) for r in stats.values() if r["Name"] != "Aggregated"),
    }


def show(label, path):
    stats = rows(path)
    print(f"{label}: {'endpoint':<40} {'req/s':>7} {'median':>7} {'p95':>7} {'errors':>6}")
    for name, r in sorted(stats.items(), key=lambda item: item[0] == "Aggregated"):
        print(
            f"{label}: {name:<40} {float(r['Requests/s']):>7.1f} {r['50%']:>5}ms {r['95%']:>5}ms "
            f"{r['Failure Count']:>6}"
        )
    t = totals(stats)
    print(f"{label}: pages (without sign-in): {t['rps']:.1f} requests/s, {t['requests']} requests, "
          f"{t['errors']} errors")
    base = path[: -len("_stats.csv")]
    try:
        with open(base + "_steady.json") as handle:
            steady = json.load(handle)
        print(f"{label}: steady state (after the last sign-in, {steady['seconds']} s): "
              f"{steady['rps']} requests/s, {steady['requests']} requests, {steady['failures']} errors")
        warm = steady.get("warm_up")
        if warm:
            print(f"{label}: the table above is that steady state; before it (warm-up, {warm['seconds']} s: "
                  f"sign-ins: median {warm['sign_in_median_ms']} ms, longest {warm['sign_in_max_ms']} ms) "
                  f"{warm['pages']} pages were answered, {warm['failures']} errors")
    except (OSError, ValueError, KeyError):
        pass
    try:
        user, system, elapsed = (float(x) for x in open(base + "_locust_time.txt").read().split()[-3:])
        total, busy = (int(x) for x in open(base + "_cpu.txt").read().split())
        hz = os.sysconf("SC_CLK_TCK")
        cores = os.cpu_count()
        print(f"{label}: CPU: machine busy {100 * busy / total:.0f}% of {cores} cores; locust used "
              f"{user + system:.1f} CPU-s in {elapsed:.0f} s = {100 * (user + system) / (total / hz):.0f}% "
              f"of the machine ({100 * (user + system) / (busy / hz):.0f}% of what was busy)")
    except (OSError, ValueError):
        pass


def warm_up_errors(stats_path):
    try:
        with open(stats_path[: -len("_stats.csv")] + "_steady.json") as handle:
            return (json.load(handle).get("warm_up") or {}).get("failures", 0)
    except (OSError, ValueError):
        return 0


def targets(uncached_path, cached_path):
    uncached, cached = rows(uncached_path), rows(cached_path)
    p95 = int(float(uncached[DASHBOARD]["95%"]))
    rps = totals(cached)["rps"]
    errors = (totals(uncached)["errors"] + totals(cached)["errors"]
              + warm_up_errors(uncached_path) + warm_up_errors(cached_path))
    checks = [
        (f"no errors: {errors}", errors == 0),
        (f"region dashboard p95 uncached < 250 ms: {p95} ms", p95 < 250),
        (f"requests/s cached >= 300: {rps:.1f}", rps >= 300),
    ]
    for text, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}  {text}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    if sys.argv[1] == "--targets":
        sys.exit(targets(sys.argv[2], sys.argv[3]))
    show(sys.argv[1], sys.argv[2])
