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
   table of the same column types without keys, indexes or constraints.

Prints rows per second of each, the import/COPY ratio and the peak RSS. The
targets (issue 3): ratio >= 25%, peak RSS < 300 MB, dry run no slower.
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
    (folder / "teams.csv").write_text(
        "code,program_code,name,batch,start_date,end_date\n"
        + "".join(f"{t},P-1,Group {i + 1},{i + 1},2015-01-01,2015-12-31\n" for i, t in enumerate(TEAMS))
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
            chunk.append(
                f"S{i:08d},20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},"
                f"{rng.choice(HOSPITALS)},{rng.choice(SPECIALTIES)},{procedure},{rng.randint(1, 4)},"
                f"{rng.choice(APPROACHES)},{rng.choice(LEADS)},{rng.choice(TEAMS) if i % 3 else ''},"
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
    print()
    print(f"rows: {n:,} surgeries ({size:.0f} MB CSV); in the database: {surgeries:,} surgeries, "
          f"{history:,} history rows")
    print(f"import / raw COPY throughput: {copy_s / imp_s:.0%} (target >= 25%: "
          f"the whole import in {4 * copy_s:.1f} s or less)")
    print(f"dry run / import time:        {dry_s / imp_s:.2f} (target <= 1: no slower)")
    print(f"peak RSS of the import:       {max(imp_rss, dry_rss, again_rss):.0f} MB (target < 300 MB)")
    print("\nreport of the import:\n" + out.strip())
    print("\nreport of the dry run:\n" + dry_out.strip().splitlines()[-1])
    print("\nreport of the second import:\n" + out2.strip())


if __name__ == "__main__":
    main()
