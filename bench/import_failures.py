"""Imports that fail or collide never leave a mix: two demonstrations.

1. Killed half-way: `import_bundle` runs in a subprocess on a big file and
   is SIGKILLed while it writes; every table's row count must be unchanged,
   and the same file imported afterwards must go through.
2. Two at once: two imports of the same refs with different values start
   together; both must succeed (the second waits for the first) and every
   row must carry the values of one bundle only, never a mix.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aidtracker_load \
        python bench/import_failures.py [--rows 200000] [--kill-after SECONDS]

Run it on a throw-away database that has hospitals and specialties (the
load-test database, after bench/load_test.sh or generate_data). Exit status
0 when both hold.
"""

import argparse
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidtracker.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from hospitals.models import Hospital, Specialty  # noqa: E402
from outcomes.models import Surgery  # noqa: E402


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    connection.close()  # counts are read from fresh snapshots every time
    return counts


def write_surgeries(path: Path, rows: int, prefix: str, procedure: str) -> Path:
    hospitals = list(Hospital.objects.filter(surgeries__isnull=False).distinct().values_list("code", flat=True)[:50])
    hospitals = hospitals or list(Hospital.objects.values_list("code", flat=True)[:50])
    specialties = list(Specialty.objects.values_list("code", flat=True))
    path.mkdir(parents=True, exist_ok=True)
    with open(path / "surgeries.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "date", "hospital_code", "specialty", "procedure", "grade",
                      "approach", "lead", "outcome"])
        for i in range(rows):
            out.writerow([f"{prefix}-{i:07d}", f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                          hospitals[i % len(hospitals)], specialties[i % len(specialties)],
                          procedure, 1 + i % 4, "open", ("visiting", "joint", "local")[i % 3], "success"])
    return path


def import_command(bundle: Path) -> list[str]:
    return [sys.executable, "manage.py", "import_bundle", str(bundle), "--no-progress"]


def import_env(application_name: str) -> dict:
    url = os.environ.get("DATABASE_URL", "")
    sep = "&" if "?" in url else "?"
    return {**os.environ, "DATABASE_URL": f"{url}{sep}application_name={application_name}"}


def backend_query(application_name: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE application_name = %s", [application_name])
        row = cursor.fetchone()
    connection.close()
    return row[0] if row else None


def killed_half_way(workdir: Path, rows: int, kill_after: float | None) -> bool:
    print(f"\n== 1. an import killed half-way ({rows:,} surgeries)")
    bundle = write_surgeries(workdir / "killed", rows, f"KILL{int(time.time())}", "killed import")
    before = row_counts()
    name = f"aid-import-kill-{os.getpid()}"
    proc = subprocess.Popen(import_command(bundle), cwd=ROOT, env=import_env(name),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    started = time.monotonic()
    if kill_after is None:
        # Kill it while it writes into the surgery table itself.
        while 'INSERT INTO "outcomes_surgery"' not in (backend_query(name) or ""):
            if proc.poll() is not None:
                print("the import finished before it could be killed: use --rows bigger")
                return False
            time.sleep(0.01)
    else:
        time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    print(f"SIGKILLed the import (pid {proc.pid}) after {time.monotonic() - started:.1f} s, "
          f"while it ran: {' '.join((backend_query(name) or '(nothing)').split())[:70]}...")
    while backend_query(name) is not None:  # PostgreSQL notices the client is gone and rolls back
        time.sleep(0.1)
    after = row_counts()
    batches = after.pop("audit_importbatch", 0) - before.pop("audit_importbatch", 0)
    changed = {t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)}
    if changed:
        print(f"FAIL: tables changed: {changed}")
        return False
    from audit.models import ImportBatch
    from interchange import service

    batch = ImportBatch.objects.order_by("-pk").first()
    service.reap([batch])  # what the Import page does: its process is gone
    print(f"every table's row count unchanged ({len(before)} tables, "
          f"{before.get('outcomes_surgery', 0):,} surgeries); the attempt's import batch "
          f"is on record ({batches} new, status {batch.status!r})")
    if batch.status != "interrupted":
        print("FAIL: the killed import's batch is not seen as interrupted")
        return False
    result = subprocess.run(import_command(bundle), cwd=ROOT, capture_output=True, text=True)
    now = Surgery.objects.count()
    connection.close()
    ok = result.returncode == 0 and now == before["outcomes_surgery"] + rows
    print(f"the same file imported again: exit {result.returncode}, surgeries {now:,} "
          f"(expected {before['outcomes_surgery'] + rows:,})")
    print("PASS" if ok else "FAIL")
    return ok


def two_at_once(workdir: Path, rows: int) -> bool:
    print(f"\n== 2. two imports at once (the same {rows:,} refs, different values)")
    prefix = f"TWO{int(time.time())}"
    a = write_surgeries(workdir / "a", rows, prefix, "from bundle A")
    b = write_surgeries(workdir / "b", rows, prefix, "from bundle B")
    before = Surgery.objects.count()
    started = time.monotonic()
    procs = [subprocess.Popen(import_command(x), cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for x in (a, b)]
    outs = [p.communicate()[0] for p in procs]
    took = time.monotonic() - started
    codes = [p.returncode for p in procs]
    mine = Surgery.objects.filter(ref__startswith=prefix + "-")
    values = dict(mine.values_list("procedure").annotate(n=django.db.models.Count("pk")))
    total = Surgery.objects.count()
    connection.close()
    print(f"exit codes {codes} after {took:.1f} s; rows per procedure value: {values}")
    ok = codes == [0, 0] and len(values) == 1 and sum(values.values()) == rows and total == before + rows
    if not ok:
        for out in outs:
            print(out[-2000:])
    print("both succeeded, one after the other, and no row mixes the two: " + ("PASS" if ok else "FAIL"))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="surgeries in the killed import")
    parser.add_argument("--two-rows", type=int, default=20_000, help="surgeries in each concurrent import")
    parser.add_argument("--kill-after", type=float, help="seconds (default: as soon as it writes surgeries)")
    args = parser.parse_args()
    if Hospital.objects.count() == 0:
        sys.exit("The database has no hospitals: run generate_data (or the load test) first.")
    with tempfile.TemporaryDirectory(prefix="aid-import-failures-") as tmp:
        results = [killed_half_way(Path(tmp), args.rows, args.kill_after), two_at_once(Path(tmp), args.two_rows)]
    print("\n" + ("all PASS" if all(results) else "FAILED"))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
