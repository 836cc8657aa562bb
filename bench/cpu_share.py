"""Who used the CPU during a load-test run, from /proc (Linux).

    python bench/cpu_share.py snapshot FILE       # before the run
    python bench/cpu_share.py report FILE DB      # after it: CPU-seconds per group

Groups: gunicorn (the application), PostgreSQL backends of database DB,
other PostgreSQL processes, redis, locust, and everything else on the
machine (other people's work on a shared machine). Processes that started
during the run count from zero; those that ended during it count through
their parent (children's time), when the parent waited for them.
"""

import json
import os
import sys


def processes():
    hz = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as handle:
                stat = handle.read()
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmd = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        # utime + stime, plus cutime + cstime: the CPU of children it has
        # waited for (gunicorn's workers recycled after max_requests, the
        # import the load test starts) is added to their parent when they end.
        seconds = sum(int(fields[i]) for i in (11, 12, 13, 14)) / hz
        out[pid] = {"cmd": cmd or stat[stat.index("(") + 1: stat.rindex(")")], "cpu": seconds}
    return out


def group(cmd, db):
    if "gunicorn" in cmd:
        return "gunicorn"
    if cmd.startswith("postgres:"):
        return "postgres (this database)" if f" {db} " in cmd else "postgres (other)"
    if "redis-server" in cmd:
        return "redis"
    if "locust" in cmd:
        return "locust"
    return "everything else"


def main():
    if sys.argv[1] == "snapshot":
        with open(sys.argv[2], "w") as handle:
            json.dump(processes(), handle)
        return
    with open(sys.argv[2]) as handle:
        before = json.load(handle)
    db = sys.argv[3]
    totals = {}
    current = processes()
    for pid, now in current.items():
        used = now["cpu"] - before.get(pid, {"cpu": 0.0})["cpu"]
        if used <= 0:
            continue
        name = group(now["cmd"], db)
        totals[name] = totals.get(name, 0.0) + used
    for pid, then in before.items():
        if pid not in current:
            # Ended during the run: its parent's children time now holds all
            # of its CPU, of which what it had used before the run is not
            # this run's.
            name = group(then["cmd"], db)
            totals[name] = totals.get(name, 0.0) - then["cpu"]
    everything = sum(totals.values()) or 1.0
    print("  ".join(f"{name} {seconds:.1f} s ({100 * seconds / everything:.0f}%)"
                    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
