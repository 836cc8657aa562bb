"""The failure drills of test_import_failures.py on SQLite, with real
processes on a database file of their own (the test database is in memory).

A SIGKILLed import: SQLite rolls back the unfinished transaction, and the
kernel drops the lock file the process held for its batch, so the batch is
seen to be interrupted. Two imports at once: the second command waits for
the first (never "database is locked" after the busy timeout); both succeed.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import connection

from tests.support.servers import ROOT

EXAMPLE = ROOT / "docs" / "example-bundle"


@pytest.fixture
def database(tmp_path):
    """A migrated SQLite file holding the example bundle; returns the environment for manage.py."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only (test_import_failures.py runs these drills on PostgreSQL)")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage(env, "migrate", "-v0")
    manage(env, "import_bundle", str(EXAMPLE), "--no-progress")
    return env


def manage(env, *args, check=True):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert not check or result.returncode == 0, result.stdout + result.stderr
    return result


def start(env, *args):
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def surgeries(tmp_path, prefix, rows, procedure):
    folder = tmp_path / prefix
    folder.mkdir()
    with open(folder / "surgeries.csv", "w") as out:
        out.write("ref,date,hospital_code,specialty,procedure,grade,approach,lead,outcome\n")
        for i in range(rows):
            out.write(
                f"{prefix}-{i:06d},2024-{1 + i % 12:02d}-{1 + i % 28:02d},"
                f"{('BJ-FRIENDSHIP', 'SH-RENJI')[i % 2]},general_surgery,{procedure},{1 + i % 4},open,local,success\n"
            )
    return folder


def row_counts(env):
    db = sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"))
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        db.close()


def wait_for_progress(env, proc, batch_id=None):
    """Until the running import has written progress (it is inside its transaction)."""
    folder = os.path.join(env["DJANGO_MEDIA_ROOT"], "imports")
    deadline = time.monotonic() + 120
    while True:
        for name in os.listdir(folder) if os.path.isdir(folder) else []:
            if name.endswith(".progress.json"):
                try:
                    with open(os.path.join(folder, name)) as handle:
                        if json.load(handle).get("done"):
                            return
                except (OSError, ValueError):
                    pass
        assert proc.poll() is None, "the import ended first:\n" + proc.stdout.read() + proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.02)


BATCHES = (
    "from audit.models import ImportBatch; from interchange import service; "
    "batches = list(ImportBatch.objects.order_by('pk')); service.reap(batches); "
    "import json; print(json.dumps([(b.status, b.message) for b in batches]))"
)


def batches(env):
    """[(status, message)] of every batch, after the check the pages make."""
    return json.loads(manage(env, "shell", "-v0", "-c", BATCHES).stdout.strip().splitlines()[-1])


def test_an_import_killed_half_way_is_interrupted_and_leaves_the_database_as_it_was(database, tmp_path):
    bundle = surgeries(tmp_path, "KILL", 100_000, "killed import")
    before = row_counts(database)
    proc = start(database, "import_bundle", str(bundle), "--no-progress")
    wait_for_progress(database, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = row_counts(database)
    # The attempt is on record (its ImportBatch, written before the transaction).
    assert after.pop("audit_importbatch") == before.pop("audit_importbatch") + 1
    assert after == before
    statuses = batches(database)
    assert statuses[0][0] == "done"
    assert statuses[1][0] == "interrupted" and "nothing was written" in statuses[1][1]
    # Saved as such: a second look finds it interrupted already, and the next import runs.
    assert batches(database)[1][0] == "interrupted"
    assert "Imported." in manage(database, "import_bundle", str(EXAMPLE), "--no-progress").stdout


def test_a_second_import_waits_for_the_first_and_both_succeed(database, tmp_path):
    a = surgeries(tmp_path, "A", 60_000, "from bundle A")
    b = surgeries(tmp_path, "B", 10, "from bundle B")
    first = start(database, "import_bundle", str(a), "--no-progress")
    wait_for_progress(database, first)
    started = time.monotonic()
    second = start(database, "import_bundle", str(b), "--no-progress")
    outputs = [p.communicate(timeout=300) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert "Waiting for another import to finish" in outputs[1][1]
    assert "locked" not in "".join(outputs[1])
    counts = row_counts(database)
    assert counts["outcomes_surgery"] == 4 + 60_000 + 10, (counts, time.monotonic() - started)
