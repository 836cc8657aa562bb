"""Benchmark: import N surgeries through `import_bundle` into PostgreSQL and
compare with a raw COPY of the same CSV into a bare table.

    .venv/bin/python bench/import_bench.py [--rows 1000000] [--db aid_import_bench]

Creates (drops first) the database --db on --server, migrates it, writes a
bundle folder under bench/out/ (regions, hospitals, programs, teams and the
surgeries that refer to them), then runs, each timed end to end:

1. `import_bundle --dry-run` (in a subprocess: its peak RSS is measured);
2. `import_bundle` (the real import, history rows included);
3. `import_bundle` again (everything unchanged);
4. raw `COPY bare FROM STDIN (FORMAT csv, HEADER)` of surgeries.csv into a
   table of the same column types without keys, indexes or constraints;
5. the two references the import is held to, each from the end state the
   import left (its surgery rows, history rows and rollup rows, saved with
   COPY TO and the tables emptied before each run, in one transaction with
   its commit):
   - "COPY into the same schema": the surgery rows by COPY into
     outcomes_surgery itself, its keys, indexes, checks and foreign keys in
     place (checked at the commit, as they are deferred);
   - "validation-free load of the same end state": the surgery rows, their
     history rows and the rollup rows loaded with nothing checked before
     and nothing looked up: the fastest of (a) COPY into the tables as they
     are and (b) the tables' keys, foreign keys and indexes dropped first
     and put back after, the importer's own trick for a first load. The
     history rows are copied from the surgery rows by one INSERT ... SELECT,
     the rollup rows are COPYed from what the import computed (no GROUP BY).

Prints rows per second of each, the import's share of each reference and the
peak RSS. The targets (issue 18): the import reaches at least 85 % of the
validation-free load of the same end state; peak RSS <= 100 MB; the dry run
no slower than the import. A bare COPY is no target: the end state is about
ten times its work (history rows, keys, indexes, rollup).
"""

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HOSPITALS = [f"H-{i:03d}" for i in range(40)]
TEAMS = [f"T-{i:03d}" for i in range(20)]
SPECIALTIES = ["general_surgery", "orthopedics", "urology", "neurosurgery", "obstetrics_gynecology"]
APPROACHES = ["open", "laparoscopic", "endoscopic", "interventional", "other"]
LEADS = ["visiting", "joint", "local"]
OUTCOMES = ["success", "success", "success", "complication", "death"]
PROCEDURES = [
    "Laparoscopic cholecystectomy",
    "Appendectomy",
    "Percutaneous nephrolithotomy",
    "Total hip arthroplasty",
    'Pancreaticoduodenectomy, "Whipple"',
    "Caesarean section",
]


def write_bundle(folder: Path, rows: int):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "regions.csv").write_text(
        "code,name,level,parent_code\n110000,Beijing,province,\n540000,Tibet,province,\n"
        "540100,Lhasa,prefecture,540000\n"
    )
    (folder / "hospitals.csv").write_text(
        "code,name,region_code,grade,kind\n"
        + "".join(f"{h},Hospital {h},540100,3A,general\n" for h in HOSPITALS)
    )
    (folder / "programs.csv").write_text(
        "code,name,kind,donor_region_code,recipient_hospital_code,start_date\n"
        "P-1,Beijing aid,group_aid,110000,H-000,2015-01-01\n"
    )
    # Team i is in the field for half a year: 2015's first half, its second,
    # 2016's first... A surgery under a team is at the program's hospital
    # within the team's dates, so that the rows raise no quality warning
    # (interchange/quality.py), as a coordinator's log would not.
    (folder / "teams.csv").write_text(
        "code,program_code,name,batch,start_date,end_date\n"
        + "".join(
            f"{t},P-1,Group {i + 1},{i + 1},{2015 + i // 2}-{'01-01' if i % 2 == 0 else '07-01'},"
            f"{2015 + i // 2}-{'06-30' if i % 2 == 0 else '12-31'}\n"
            for i, t in enumerate(TEAMS)
        )
    )
    rng = random.Random(20241123)
    with open(folder / "surgeries.csv", "w", newline="") as out:
        out.write(
            "ref,date,hospital_code,specialty,procedure,grade,approach,lead,team_code,"
            "demonstration,first_in_region,outcome,blood_loss_ml\n"
        )
        chunk = []
        for i in range(rows):
            procedure = rng.choice(PROCEDURES)
            if '"' in procedure:
                procedure = '"' + procedure.replace('"', '""') + '"'
            if i % 3:
                team = rng.randrange(len(TEAMS))
                year, month = 2015 + team // 2, rng.randint(1, 6) + 6 * (team % 2)
                hospital, team_code = HOSPITALS[0], TEAMS[team]
            else:
                year, month = rng.randint(2015, 2024), rng.randint(1, 12)
                hospital, team_code = rng.choice(HOSPITALS), ""
            chunk.append(
                f"S{i:08d},{year}-{month:02d}-{rng.randint(1, 28):02d},"
                f"{hospital},{rng.choice(SPECIALTIES)},{procedure},{rng.randint(1, 4)},"
                f"{rng.choice(APPROACHES)},{rng.choice(LEADS)},{team_code},"
                f"{'yes' if i % 7 == 0 else 'no'},{'yes' if i % 101 == 0 else ''},"
                f"{rng.choice(OUTCOMES)},{rng.randint(0, 900) if i % 2 else ''}\n"
            )
            if len(chunk) >= 10000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))


def run_import(folder: Path, env, *extra):
    """Run import_bundle in a child process: (seconds, peak RSS in MB, output)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_bundle", str(folder), "--no-progress", "-v", "2", *extra],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    output = proc.stdout.read().decode()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"import_bundle failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output


def raw_copy(url, csv_path: Path):
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare")
        conn.execute(
            "CREATE TABLE bench_bare (ref varchar(64), date date, hospital_code varchar(32), "
            "specialty varchar(32), procedure varchar(200), grade smallint, approach varchar(16), "
            "lead varchar(8), team_code varchar(64), demonstration varchar(5), "
            "first_in_region varchar(5), outcome varchar(16), blood_loss_ml integer)"
        )
        started = time.monotonic()
        with conn.cursor() as cur:
            with cur.copy("COPY bench_bare FROM STDIN (FORMAT csv, HEADER)") as copy:
                with open(csv_path, "rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        copy.write(chunk)
        seconds = time.monotonic() - started
        # What the schema alone costs: the same rows into a table with
        # outcomes_surgery's columns, indexes and checks (no foreign keys, no
        # history, no validation), as one INSERT ... SELECT.
        conn.execute("DROP TABLE IF EXISTS bench_indexed")
        conn.execute("CREATE TABLE bench_indexed (LIKE outcomes_surgery INCLUDING ALL)")
        started = time.monotonic()
        conn.execute(
            "INSERT INTO bench_indexed (ref, date, hospital_id, specialty_id, procedure, grade, "
            "approach, lead, team_id, demonstration, first_in_region, outcome, blood_loss_ml) "
            "SELECT ref, date, hospital_code, specialty, procedure, grade, approach, lead, "
            "team_code, coalesce(demonstration = 'yes', false), coalesce(first_in_region = 'yes', false), "
            "outcome, blood_loss_ml FROM bench_bare"
        )
        indexed_seconds = time.monotonic() - started
        conn.execute("DROP TABLE bench_indexed")
        conn.execute("DROP TABLE bench_bare")
    return seconds, indexed_seconds


SURGERY = "outcomes_surgery"
HISTORY = "outcomes_historicalsurgery"
ROLLUP = "outcomes_surgerymonth"


def save_end_state(url, folder: Path):
    """COPY the import's surgery, history and rollup rows to files (binary)."""
    files = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for table in (SURGERY, HISTORY, ROLLUP):
            path = folder / f"end-state-{table}.bin"
            with open(path, "wb") as out, cur.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                for block in copy:
                    out.write(block)
            files[table] = path
        history_columns = [
            row[0] for row in cur.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped ORDER BY attnum", [HISTORY],
            )
        ]
    return files, history_columns


def copy_in(cur, table, path: Path):
    with cur.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy, open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            copy.write(block)


def empty_tables(url):
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {SURGERY}, {HISTORY}, {ROLLUP}")
        conn.execute(f"VACUUM ANALYZE {SURGERY}, {HISTORY}, {ROLLUP}")
        conn.execute("CHECKPOINT")


def drop_keys_and_indexes(cur, table):
    """Drop `table`'s foreign keys, keys and other indexes; return the
    statements that put them back (indexes and keys first, foreign keys last)."""
    constraints = cur.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')", [table],
    ).fetchall()
    named = {name for name, _kind, _definition in constraints}
    indexes = [
        (name, definition) for name, definition in cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
        ) if name not in named
    ]
    for name, kind, _definition in sorted(constraints, key=lambda c: c[1] != "f"):
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    back = [definition for _name, definition in indexes]
    back += [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, k, d in constraints if k != "f"]
    back += [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, k, d in constraints if k == "f"]
    return back


def copy_same_schema(url, files):
    """Reference 1: the surgery rows by COPY into outcomes_surgery as it is."""
    empty_tables(url)
    started = time.monotonic()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        copy_in(cur, SURGERY, files[SURGERY])
    return time.monotonic() - started


def end_state_load(url, files, history_columns, *, drop):
    """Reference 2: surgery, history and rollup rows, nothing validated."""
    empty_tables(url)
    surgery_columns = [c for c in history_columns if not c.startswith("history_") and c != "import_batch_id"]
    started = time.monotonic()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        put_back = []
        if drop:
            for table in (SURGERY, HISTORY, ROLLUP):
                put_back += drop_keys_and_indexes(cur, table)
        copy_in(cur, SURGERY, files[SURGERY])
        cur.execute(
            f"INSERT INTO {HISTORY} ({', '.join(surgery_columns)}, history_date, history_type, "
            f"history_user_id, import_batch_id) SELECT {', '.join(surgery_columns)}, now(), '+', "
            f"NULL, NULL FROM {SURGERY}"
        )
        copy_in(cur, ROLLUP, files[ROLLUP])
        for statement in put_back:
            cur.execute(statement)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="aid_import_bench")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    url = f"{args.server}/{args.db}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
        conn.execute(f'CREATE DATABASE "{args.db}"')
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, cwd=ROOT, check=True)

    folder = ROOT / "bench" / "out" / f"bundle-{args.rows}"
    if not (folder / "surgeries.csv").exists():
        print(f"writing {args.rows:,} surgeries to {folder} ...", flush=True)
        write_bundle(folder, args.rows)
    size = (folder / "surgeries.csv").stat().st_size / 1e6
    n = args.rows

    dry_s, dry_rss, dry_out = run_import(folder, env, "--dry-run")
    print(f"dry run:          {dry_s:7.1f} s  {n / dry_s:>10,.0f} rows/s  peak RSS {dry_rss:.0f} MB", flush=True)
    imp_s, imp_rss, out = run_import(folder, env)
    print(f"import:           {imp_s:7.1f} s  {n / imp_s:>10,.0f} rows/s  peak RSS {imp_rss:.0f} MB", flush=True)
    again_s, again_rss, out2 = run_import(folder, env)
    print(f"import again:     {again_s:7.1f} s  {n / again_s:>10,.0f} rows/s  peak RSS {again_rss:.0f} MB", flush=True)
    copy_s, indexed_s = raw_copy(url, folder / "surgeries.csv")
    print(f"raw COPY:         {copy_s:7.1f} s  {n / copy_s:>10,.0f} rows/s", flush=True)
    print(f"INSERT..SELECT into a table with surgery's indexes (no FKs, no history): "
          f"{indexed_s:.1f} s  {n / indexed_s:,.0f} rows/s", flush=True)
    with psycopg.connect(url) as conn:
        surgeries = conn.execute("SELECT count(*) FROM outcomes_surgery").fetchone()[0]
        history = conn.execute("SELECT count(*) FROM outcomes_historicalsurgery").fetchone()[0]
        rollup = conn.execute(f"SELECT count(*) FROM {ROLLUP}").fetchone()[0]
    files, history_columns = save_end_state(url, folder)
    same_schema_s = copy_same_schema(url, files)
    print(f"COPY into outcomes_surgery (keys, indexes, checks, foreign keys): "
          f"{same_schema_s:.1f} s  {n / same_schema_s:,.0f} rows/s", flush=True)
    kept_s = end_state_load(url, files, history_columns, drop=False)
    print(f"end state, validation-free, indexes kept:          {kept_s:.1f} s", flush=True)
    dropped_s = end_state_load(url, files, history_columns, drop=True)
    print(f"end state, validation-free, indexes dropped/put back: {dropped_s:.1f} s", flush=True)
    end_state_s = min(kept_s, dropped_s)
    print()
    print(f"rows: {n:,} surgeries ({size:.0f} MB CSV); in the database: {surgeries:,} surgeries, "
          f"{history:,} history rows, {rollup:,} rollup rows")
    print(f"import / COPY into the same schema:            {same_schema_s / imp_s:.0%} of its throughput")
    print(f"import / validation-free load of the end state: {end_state_s / imp_s:.0%} "
          f"(target >= 85%: the import in {end_state_s / 0.85:.1f} s or less)")
    print(f"import / raw COPY into a bare table:            {copy_s / imp_s:.0%} (no target)")
    print(f"dry run / import time:        {dry_s / imp_s:.2f} (target <= 1: no slower)")
    print(f"peak RSS of the import:       {max(imp_rss, dry_rss, again_rss):.0f} MB (target <= 100 MB)")
    print("\nreport of the import:\n" + out.strip())
    print("\nreport of the dry run:\n" + dry_out.strip().splitlines()[-1])
    print("\nreport of the second import:\n" + out2.strip())


if __name__ == "__main__":
    main()
