"""Imports that are killed or collide leave no mix (PostgreSQL, real processes).

A SIGKILLed import: PostgreSQL rolls its transaction back when the client
is gone, so nothing it wrote stays, and the advisory lock the process held
for its batch goes with the connection: the Import page shows the batch as
interrupted. Two imports at once: the advisory lock makes the second wait
for the first; both succeed, one after the other. (The same drills on
SQLite: test_import_failures_sqlite.py.)
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.urls import reverse

from audit.models import ImportBatch
from interchange import service
from outcomes.models import Surgery
from tests import factories as f
from tests.support.servers import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


def write_surgeries(folder, hospitals, prefix, rows, procedure):
    folder.mkdir()
    with open(folder / "surgeries.csv", "w") as out:
        out.write("ref,date,hospital_code,specialty,procedure,grade,approach,lead,outcome\n")
        for i in range(rows):
            out.write(
                f"{prefix}-{i:06d},2024-{1 + i % 12:02d}-{1 + i % 28:02d},{hospitals[i % len(hospitals)]},"
                f"general_surgery,{procedure},{1 + i % 4},open,local,success\n"
            )
    return folder


def import_process(bundle, application_name, *args, media_root=None):
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        f"?application_name={application_name}"
    )
    env = {**os.environ, "DATABASE_URL": url}
    if "direct" in connections:
        # Behind a pooler, import_bundle connects to PostgreSQL itself.
        direct = connections["direct"].settings_dict
        env["DATABASE_DIRECT_URL"] = (
            f"postgres://{direct['USER']}@{direct['HOST'] or '127.0.0.1'}:{direct['PORT'] or 5432}"
            f"/{db['NAME']}?application_name={application_name}"
        )
    if media_root is not None:
        env["DJANGO_MEDIA_ROOT"] = str(media_root)
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_bundle", str(bundle), "--no-progress", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def backend_query(application_name):
    """The import's current statement, or None when its backend is gone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE application_name = %s", [application_name]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def row_counts():
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def hospitals(postgres_only):
    world = f.make_world()
    return [world.lhasa_peoples.code, world.xigaze_peoples.code, world.pulan.code]


def test_an_import_killed_while_writing_leaves_the_database_as_it_was(hospitals, tmp_path):
    bundle = write_surgeries(tmp_path / "big", hospitals, "KILL", 40_000, "killed import")
    before = row_counts()
    name = "aid-import-kill-test"
    proc = import_process(bundle, name)
    deadline = time.monotonic() + 120
    while True:  # until it writes into the surgery table itself
        query = backend_query(name) or ""
        if 'INSERT INTO "outcomes_surgery"' in query:
            break
        assert proc.poll() is None, f"the import ended before it was killed:\n{proc.stdout.read()}"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    while backend_query(name) is not None:  # the server notices and rolls back
        assert time.monotonic() < deadline
        time.sleep(0.05)
    after = row_counts()
    # The attempt itself is on record: its ImportBatch, written before the
    # import's transaction began, stays, and is seen to be interrupted.
    assert after.pop("audit_importbatch") == before.pop("audit_importbatch") + 1
    assert after == before
    assert not Surgery.objects.filter(ref__startswith="KILL-").exists()
    batch = ImportBatch.objects.get()
    assert batch.status == "running"
    service.reap([batch])
    batch.refresh_from_db()
    assert batch.status == "interrupted" and "nothing was written" in batch.message


def test_an_import_of_the_import_page_killed_half_way_shows_as_interrupted(
    hospitals, tmp_path, settings, client, admin_user
):
    """The background process of the Import page is killed (as by a server
    restart) while its progress bar moves: the page says the import was
    interrupted and nothing was written, the tables are as they were, and
    the kept upload can be imported again."""
    settings.MEDIA_ROOT = tmp_path / "media"
    write_surgeries(tmp_path / "big", hospitals, "PAGE", 40_000, "killed from the page")
    upload = Path("imports") / ("c" * 32) / "surgeries.csv"
    (settings.MEDIA_ROOT / upload).parent.mkdir(parents=True)
    shutil.copy(tmp_path / "big" / "surgeries.csv", settings.MEDIA_ROOT / upload)
    batch = ImportBatch.objects.create(
        user=admin_user, file_name="surgeries.csv", sha256="x", dry_run=False, upload=str(upload)
    )
    client.force_login(admin_user)
    client.get(reverse("interchange:index"))  # the sign-in's own rows are written now
    before = row_counts()
    name = "aid-import-page-kill-test"
    proc = import_process(settings.MEDIA_ROOT / upload, name, "--batch", str(batch.pk),
                          media_root=settings.MEDIA_ROOT)
    page_url = reverse("interchange:batch", args=[batch.pk])
    deadline = time.monotonic() + 120
    while True:  # until the page shows the import's progress
        page = client.get(page_url)
        assert page["Refresh"] == "2", page.content.decode()
        if re.search(rb"[1-9]\d* / 40000 rows", page.content):
            break
        assert proc.poll() is None, f"the import ended before it was killed:\n{proc.stdout.read()}"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # The page's import yields the processor to the application servers.
    assert os.getpriority(os.PRIO_PROCESS, proc.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    while backend_query(name) is not None:  # the server notices and rolls back
        assert time.monotonic() < deadline
        time.sleep(0.05)
    page = client.get(page_url)
    text = page.content.decode()
    assert "Refresh" not in page and "Interrupted: nothing was written." in text, text
    assert "Import it again" in text
    batch.refresh_from_db()
    assert batch.status == "interrupted" and batch.finished_at is not None
    after = row_counts()
    assert after == before
    assert (settings.MEDIA_ROOT / upload).is_file() and not service.progress_path(batch.pk).exists()
    index = client.get(reverse("interchange:index")).content.decode()
    assert "interrupted" in index
    # Started again (in this process here), it imports, and its upload goes.
    settings.INTERCHANGE_RUNNER = "inline"
    response = client.post(reverse("interchange:restart", args=[batch.pk]))
    again = ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert again.status == "done" and Surgery.objects.filter(ref__startswith="PAGE-").count() == 40_000
    assert not (settings.MEDIA_ROOT / upload).exists()


def test_two_imports_at_once_both_succeed_and_never_mix(hospitals, tmp_path):
    a = write_surgeries(tmp_path / "a", hospitals, "TWO", 3_000, "from bundle A")
    b = write_surgeries(tmp_path / "b", hospitals, "TWO", 3_000, "from bundle B")
    procs = [import_process(a, "aid-import-a"), import_process(b, "aid-import-b")]
    outputs = [p.communicate(timeout=180)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    values = set(Surgery.objects.filter(ref__startswith="TWO-").values_list("procedure", flat=True))
    assert Surgery.objects.filter(ref__startswith="TWO-").count() == 3_000
    assert len(values) == 1  # every row from one bundle: the one that ran second
