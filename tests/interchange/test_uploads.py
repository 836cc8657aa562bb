"""What imports leave on disk: a finished import removes its upload; a
checked bundle is kept until confirmed or expired; interrupted batches can be
started again; `clean_uploads` removes old leftovers. Real files, under a
temporary DJANGO_MEDIA_ROOT."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import ImportBatch
from interchange import runlock, service
from outcomes.models import Surgery

from .test_views import bundle_zip, inline_runner  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def media_files(settings):
    """Every file under MEDIA_ROOT but SQLite's one empty import.lock, which stays."""
    root = Path(settings.MEDIA_ROOT)
    files = root.rglob("*") if root.exists() else []
    return sorted(str(p.relative_to(root)) for p in files if p.is_file() and p.name != "import.lock")


def uploaded(settings):
    return [p for p in media_files(settings) if p.count("/") == 2]  # imports/<random>/<name>


def age(path, hours):
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_a_checked_bundle_waits_for_confirmation_and_goes_once_imported(client, admin_user, settings):
    client.force_login(admin_user)
    client.post(reverse("interchange:index"), {"bundle": bundle_zip()})
    dry = ImportBatch.objects.get()
    assert dry.status == "done" and uploaded(settings) == [dry.upload]  # kept for the confirmation
    response = client.post(reverse("interchange:confirm", args=[dry.pk]))
    assert Surgery.objects.count() == 4
    assert media_files(settings) == []  # upload, its folder's file, progress and log all gone
    assert not (Path(settings.MEDIA_ROOT) / dry.upload).parent.exists()
    # The dry run's page still links to the import, and offers nothing to confirm.
    page = client.get(reverse("interchange:batch", args=[dry.pk]))
    assert b"This bundle has been imported." in page.content and b"Import it</button>" not in page.content
    assert client.get(response["Location"]).status_code == 200


def test_a_bundle_with_errors_is_removed_at_once(client, admin_user, settings):
    client.force_login(admin_user)
    client.post(reverse("interchange:index"), {"bundle": bundle_zip(("surgeries.csv", "2024-03-15", "2024-03-35"))})
    assert ImportBatch.objects.get().status == "failed"
    assert media_files(settings) == []


def test_an_expired_check_says_to_upload_again(client, admin_user, settings):
    client.force_login(admin_user)
    client.post(reverse("interchange:index"), {"bundle": bundle_zip()})
    dry = ImportBatch.objects.get()
    age(Path(settings.MEDIA_ROOT) / dry.upload, 50)
    age((Path(settings.MEDIA_ROOT) / dry.upload).parent, 50)
    out = StringIO()
    call_command("clean_uploads", "--older-than", "2d", stdout=out)
    assert f"removed {Path(dry.upload).parent}" in out.getvalue() and media_files(settings) == []
    page = client.get(reverse("interchange:batch", args=[dry.pk]))
    assert b"no longer kept" in page.content and b"Import it</button>" not in page.content
    response = client.post(reverse("interchange:confirm", args=[dry.pk]), follow=True)
    assert "upload it again" in response.content.decode()
    assert not ImportBatch.objects.filter(dry_run=False).exists()


def interrupted_batch(admin_user, settings, *, dry_run=False, claimed=True):
    """A batch whose process took it on and then died (nothing holds its lock)."""
    folder = Path(settings.MEDIA_ROOT) / "imports" / "0123456789abcdef0123456789abcdef"
    folder.mkdir(parents=True)
    (folder / "example.zip").write_bytes(bundle_zip().getvalue())
    batch = ImportBatch.objects.create(
        user=admin_user, file_name="example.zip", sha256="x", dry_run=dry_run,
        upload="imports/0123456789abcdef0123456789abcdef/example.zip",
        claimed_at=timezone.now() if claimed else None,
    )
    service._write_progress(batch.pk, {"done": 3, "total": 40, "file": "surgeries.csv"})
    return batch


def test_a_batch_whose_process_died_is_shown_as_interrupted_and_can_be_started_again(client, admin_user, settings):
    batch = interrupted_batch(admin_user, settings)
    client.force_login(admin_user)
    index = client.get(reverse("interchange:index"))
    assert b"interrupted" in index.content
    batch.refresh_from_db()
    assert batch.status == "interrupted" and batch.finished_at is not None
    page = client.get(reverse("interchange:batch", args=[batch.pk]))
    assert "Refresh" not in page and b"<progress" not in page.content
    text = page.content.decode()
    assert "Interrupted: nothing was written." in text and "nothing was written" in batch.message
    assert "Import it again" in text
    # The upload is kept so it can be started again; the progress file is gone.
    assert uploaded(settings) == [batch.upload] and not service.progress_path(batch.pk).exists()
    response = client.post(reverse("interchange:restart", args=[batch.pk]))
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert response["Location"] == reverse("interchange:batch", args=[again.pk])
    assert again.status == "done" and not again.dry_run and Surgery.objects.count() == 4
    assert media_files(settings) == []
    # A second click starts nothing twice.
    client.post(reverse("interchange:restart", args=[batch.pk]))
    assert ImportBatch.objects.count() == 2


def test_an_interrupted_check_starts_again_as_a_check(client, admin_user, settings):
    batch = interrupted_batch(admin_user, settings, dry_run=True)
    client.force_login(admin_user)
    assert b"Check it again" in client.get(reverse("interchange:batch", args=[batch.pk])).content
    client.post(reverse("interchange:restart", args=[batch.pk]))
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert again.dry_run and again.status == "done" and not Surgery.objects.exists()
    assert uploaded(settings) == [batch.upload]  # now waiting for confirmation


def test_a_batch_not_yet_taken_on_counts_as_running_for_a_minute(client, admin_user, settings):
    batch = interrupted_batch(admin_user, settings, claimed=False)
    client.force_login(admin_user)
    page = client.get(reverse("interchange:batch", args=[batch.pk]))
    assert page["Refresh"] == "2" and b"3 / 40" in page.content
    ImportBatch.objects.filter(pk=batch.pk).update(started_at=timezone.now() - timedelta(minutes=2))
    page = client.get(reverse("interchange:batch", args=[batch.pk]))
    assert b"Interrupted" in page.content
    # The background process starting late runs nothing.
    with pytest.raises(service.NotRun):
        service.run(Path(settings.MEDIA_ROOT) / batch.upload, batch_id=batch.pk)
    assert not Surgery.objects.exists()


def test_a_batch_whose_process_holds_its_lock_is_running(client, admin_user, settings):
    batch = interrupted_batch(admin_user, settings)
    with runlock.BatchLock(batch.pk):
        assert runlock.alive([batch.pk]) == {batch.pk}
        client.force_login(admin_user)
        page = client.get(reverse("interchange:batch", args=[batch.pk]))
        assert page["Refresh"] == "2" and b"3 / 40" in page.content
    assert runlock.alive([batch.pk]) == set()


def test_a_batch_waiting_for_another_import_stays_running_past_the_first_minute(client, admin_user, settings):
    batch = interrupted_batch(admin_user, settings, claimed=False)
    ImportBatch.objects.filter(pk=batch.pk).update(started_at=timezone.now() - timedelta(minutes=5))
    service._write_progress(batch.pk, {"waiting": True})
    with runlock.BatchLock(batch.pk):  # its process is alive, waiting for the import lock
        client.force_login(admin_user)
        page = client.get(reverse("interchange:batch", args=[batch.pk]))
        assert page["Refresh"] == "2" and b"Waiting for another import to finish" in page.content
        # Not interrupted, so it cannot be started a second time.
        refused = client.post(reverse("interchange:restart", args=[batch.pk]), follow=True)
        assert b"Only an interrupted check or import can be started again." in refused.content
    assert ImportBatch.objects.count() == 1


def test_clean_uploads_removes_old_leftovers_only(admin_user, settings):
    imports = Path(settings.MEDIA_ROOT) / "imports"
    running = interrupted_batch(admin_user, settings)  # but alive: its process holds the lock
    done = ImportBatch.objects.create(file_name="a.zip", sha256="x", status="done")
    old_upload = imports / ("a" * 32) / "a.zip"
    new_upload = imports / ("b" * 32) / "b.zip"
    for path in (old_upload, new_upload, service.log_path(done.pk), service.progress_path(done.pk)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    for path in (old_upload, old_upload.parent, service.log_path(done.pk), service.progress_path(done.pk),
                 imports / running.upload.split("/")[1], service.progress_path(running.pk)):
        age(path, 72)
    with runlock.BatchLock(running.pk):
        out = StringIO()
        call_command("clean_uploads", "--older-than", "48h", stdout=out)
    assert sorted(out.getvalue().splitlines()[:-1]) == sorted([
        f"removed imports/{'a' * 32}",
        f"removed imports/batch-{done.pk}.log",
        f"removed imports/batch-{done.pk}.progress.json",
    ])
    assert out.getvalue().splitlines()[-1] == "3 items removed."
    assert new_upload.exists() and (Path(settings.MEDIA_ROOT) / running.upload).exists()
    assert service.progress_path(running.pk).exists()
    running.refresh_from_db()
    assert running.status == "running"


def test_clean_uploads_dry_run_lists_and_keeps(db, settings):
    old_upload = Path(settings.MEDIA_ROOT) / "imports" / ("a" * 32) / "a.zip"
    old_upload.parent.mkdir(parents=True)
    old_upload.write_text("x")
    age(old_upload, 72)
    age(old_upload.parent, 72)
    out = StringIO()
    call_command("clean_uploads", "--older-than", "2d", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        f"would remove imports/{'a' * 32}",
        "1 item would be removed.",
    ]
    assert old_upload.exists()


def test_clean_uploads_with_a_bad_age_says_how_to_write_it(db):
    with pytest.raises(CommandError, match="e.g. 2d, 12h or 30m"):
        call_command("clean_uploads", "--older-than", "two days")


def hold_import_lock(settings):
    """Another process that holds the import lock (SQLite), as a running import does."""
    lock = Path(settings.MEDIA_ROOT) / "imports" / "import.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)", str(lock)],
        stdout=subprocess.PIPE, text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_on_sqlite_a_second_import_is_refused_at_once_while_one_runs(client, admin_user, settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only (PostgreSQL lets the second import wait its turn)")
    first = ImportBatch.objects.create(user=admin_user, file_name="first.zip", sha256="x", claimed_at=timezone.now())
    holder = hold_import_lock(settings)
    try:
        with runlock.BatchLock(first.pk):
            client.force_login(admin_user)
            started = time.monotonic()
            response = client.post(reverse("interchange:index"), {"bundle": bundle_zip()})
            assert time.monotonic() - started < 5  # not the 20 s busy timeout
            text = response.content.decode()
            assert response.status_code == 200 and "Another import is running (first.zip, started" in text
            assert ImportBatch.objects.count() == 1 and uploaded(settings) == []
    finally:
        holder.kill()
        holder.wait()
    response = client.post(reverse("interchange:index"), {"bundle": bundle_zip()})
    assert response.status_code == 302 and ImportBatch.objects.get(dry_run=True).status == "done"


def test_on_sqlite_a_confirmation_is_refused_at_once_while_another_import_runs(client, admin_user, settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    client.force_login(admin_user)
    client.post(reverse("interchange:index"), {"bundle": bundle_zip()})
    dry = ImportBatch.objects.get()
    holder = hold_import_lock(settings)
    try:
        response = client.post(reverse("interchange:confirm", args=[dry.pk]), follow=True)
    finally:
        holder.kill()
        holder.wait()
    assert "Another import is running" in response.content.decode()
    assert not ImportBatch.objects.filter(dry_run=False).exists() and uploaded(settings) == [dry.upload]
    client.post(reverse("interchange:confirm", args=[dry.pk]))
    assert Surgery.objects.count() == 4
