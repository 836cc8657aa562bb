"""One upload cannot stall every other import: a workbook declaring absurd
dimensions is refused before it is read, reading and checking stop at a
time limit, and an admin can cancel a running or waiting import from its
page (its process ends, its transaction is rolled back, the batch says who
cancelled it). The cancel is shown with real processes, as the Import page
runs imports."""

import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import types
import zipfile
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse

from audit.models import ImportBatch
from deployments.models import Rotation
from interchange import limits, runlock, views
from interchange.importer import LOCK_KEY
from outcomes.models import Surgery
from tests import factories as f

from .conftest import EXAMPLE, command, run

ROOT = EXAMPLE.parents[1]


# -- a sheet declaring A1:XFD1048576 -------------------------------------------


@pytest.mark.django_db
def test_a_sheet_declaring_a_billion_cells_is_refused_before_a_row_is_read(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "regions"
    workbook.active.append(["code", "name", "level", "parent_code"])
    workbook.save(tmp_path / "good.xlsx")
    with zipfile.ZipFile(tmp_path / "good.xlsx") as good, zipfile.ZipFile(tmp_path / "b.xlsx", "w") as bad:
        for item in good.infolist():
            data = good.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
                assert b"XFD1048576" in data
            bad.writestr(item, data)
    started = time.monotonic()
    status, output = command(tmp_path / "b.xlsx", "--dry-run")
    assert time.monotonic() - started < 10  # not 13 minutes
    assert status == 1
    assert (
        "regions the sheet declares 16,384 columns and 1,048,576 rows (up to cell XFD1048576); "
        "an import reads at most 256 columns"
    ) in output


# -- the time limit of reading and checking ---------------------------------------


@pytest.mark.django_db
def test_reading_and_checking_stop_at_the_time_limit(example, settings, monkeypatch):
    settings.IMPORT_MAX_CHECK_SECONDS = 60
    clock = iter(range(0, 10**6, 7))  # every look at the clock, 7 seconds later
    monkeypatch.setattr(limits, "time", types.SimpleNamespace(monotonic=lambda: next(clock)))
    status, output = command(example)
    assert status == 1 and "Traceback" not in output
    assert (
        "checking this bundle took longer than 60 seconds (IMPORT_MAX_CHECK_SECONDS), so it stopped here; "
        "nothing was written"
    ) in output
    assert not Surgery.objects.exists()


@pytest.mark.django_db
def test_a_check_spanning_rows_stops_at_the_time_limit(tmp_path, settings, specialties):
    """20,000 rotations of one person, all overlapping: 200 million pairs."""
    call_command("import_bundle", str(EXAMPLE), "--no-progress")
    settings.IMPORT_MAX_CHECK_SECONDS = 2
    rows = "BJ-LHASA-8,P-1,Dawa,LS-PEOPLES,urology,chief,member,2023-07-01,2024-06-30\n" * 20_000
    (tmp_path / "rotations.csv").write_text(
        "team_code,person_id,person_name,home_hospital_code,specialty,title,role,start_date,end_date\n" + rows
    )
    started = time.monotonic()
    report = run(tmp_path / "rotations.csv")
    assert time.monotonic() - started < 30
    assert [str(e) for e in report.errors if "IMPORT_MAX_CHECK_SECONDS" in e.message] == [
        "rotations.csv checking this bundle took longer than 2 seconds (IMPORT_MAX_CHECK_SECONDS), so it "
        "stopped here; nothing was written"
    ]
    assert not Rotation.objects.filter(person_id="P-1").exists()


@pytest.mark.django_db
def test_the_wait_for_another_import_does_not_count(example, settings, monkeypatch):
    settings.IMPORT_MAX_CHECK_SECONDS = 60
    deadline = limits.Deadline()
    deadline.start(60)
    deadline.stop()  # as after the reading and checking: the writes and the wait are not timed
    monkeypatch.setattr(limits, "time", types.SimpleNamespace(monotonic=lambda: 10**9))
    deadline.check()
    assert run(example).ok


# -- cancelling from the Import page, with real processes -------------------------


@pytest.fixture
def shared_database(transactional_db, settings, monkeypatch, tmp_path):
    """The database as the import processes see it: the test database on
    PostgreSQL; on SQLite (in memory for the tests) a copy in a file, which
    this process uses too for the test's length."""
    settings.INTERCHANGE_RUNNER = "subprocess"
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(settings.MEDIA_ROOT))
    monkeypatch.setenv("AIDTRACKER_IMPORT_NICENESS", "0")
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        monkeypatch.setenv(
            "DATABASE_URL", f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        yield
        return
    path = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    original = connections["default"]
    shared = original.__class__({**original.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = shared
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    try:
        yield
    finally:
        shared.close()
        connections["default"] = original


@pytest.fixture
def admin(shared_database, client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(user)
    return user


@contextmanager
def another_import():
    """Another import holding the lock every import takes."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        other = psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
            password=db["PASSWORD"] or None, dbname=db["NAME"],
        )
        other.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        try:
            yield
        finally:
            other.rollback()
            other.close()
    else:
        with runlock.ImportLock():
            yield


def wait_for(condition, what, seconds=90):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {seconds} s"
        time.sleep(0.1)


def process_gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] == "Z"  # ended, not yet reaped
    except FileNotFoundError:
        return True


def pid_of(batch):
    path = Path(os.environ["DJANGO_MEDIA_ROOT"]) / "imports" / f"batch-{batch.pk}.pid"
    wait_for(path.exists, "process id of the import")
    return int(path.read_text())


def example_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(EXAMPLE.iterdir()):
            archive.write(path, path.name)
    buffer.seek(0)
    buffer.name = "example.zip"
    return buffer


def test_a_check_waiting_for_another_import_is_cancelled_from_its_page(client, admin, monkeypatch):
    with another_import():
        # On SQLite the page refuses an upload while another import runs; this
        # one raced with it, and its process waits.
        monkeypatch.setattr(views, "_another_import_running", lambda: None)
        response = client.post(reverse("interchange:index"), {"bundle": example_zip()})
        batch = ImportBatch.objects.get()
        page_url = response["Location"]
        wait_for(lambda: "Waiting for another import to finish" in client.get(page_url).content.decode(), "wait")
        page = client.get(page_url).content.decode()
        assert "Cancel this check" in page
        pid = pid_of(batch)
        page = client.post(reverse("interchange:cancel", args=[batch.pk]), follow=True).content.decode()
        wait_for(lambda: process_gone(pid), "end of the import's process", seconds=20)
    assert "Cancelled: nothing was written." in page
    assert "Cancelled by admin at " in page and "Check it again" in page
    batch.refresh_from_db()
    assert batch.status == "interrupted" and batch.message.startswith("Cancelled by admin at ")
    assert not Surgery.objects.exists()
    time.sleep(1)  # the process is gone: it never takes the lock, writes or records anything
    batch.refresh_from_db()
    assert batch.status == "interrupted" and not Surgery.objects.exists()


def test_an_import_running_half_way_is_cancelled_and_rolled_back(client, admin, tmp_path):
    world = f.make_world()
    before = Surgery.objects.count()
    folder = tmp_path / "big"
    folder.mkdir()
    with open(folder / "surgeries.csv", "w") as out:
        out.write("ref,date,hospital_code,specialty,procedure,grade,approach,lead,outcome\n")
        for i in range(300_000):
            out.write(f"C-{i:06d},2024-{1 + i % 12:02d}-{1 + i % 28:02d},{world.lhasa_peoples.code},"
                      f"general_surgery,Cancelled import,{1 + i % 4},open,local,success\n")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_bundle", str(folder), "--no-progress", "--user", "admin"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_for(lambda: ImportBatch.objects.exists(), "batch")
        batch = ImportBatch.objects.get()
        progress = Path(os.environ["DJANGO_MEDIA_ROOT"]) / "imports" / f"batch-{batch.pk}.progress.json"
        wait_for(progress.exists, "progress: the import is inside its transaction")
        page = client.get(reverse("interchange:batch", args=[batch.pk])).content.decode()
        assert "Cancel this import" in page
        page = client.post(reverse("interchange:cancel", args=[batch.pk]), follow=True).content.decode()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGTERM, process.stdout.read()
    assert "Cancelled by admin at " in page
    batch.refresh_from_db()
    assert batch.status == "interrupted" and batch.message.startswith("Cancelled by admin at ")
    assert Surgery.objects.count() == before  # its transaction was rolled back
    assert not Surgery.history.filter(procedure="Cancelled import").exists()


def test_a_finished_import_cannot_be_cancelled(client, admin):
    batch = ImportBatch.objects.create(user=admin, file_name="x.zip", sha256="0", status="done")
    page = client.post(reverse("interchange:cancel", args=[batch.pk]), follow=True).content.decode()
    assert "Only a running or waiting check or import can be cancelled." in page
    batch.refresh_from_db()
    assert batch.status == "done"


def test_only_admins_cancel(client, shared_database, django_user_model):
    batch = ImportBatch.objects.create(file_name="x.zip", sha256="0")
    official = django_user_model.objects.create_user("official", password="pw", is_staff=True)
    client.force_login(official)
    assert client.post(reverse("interchange:cancel", args=[batch.pk])).status_code == 403
    assert client.get(reverse("interchange:cancel", args=[batch.pk])).status_code in (403, 405)
    batch.refresh_from_db()
    assert batch.status == "running"
