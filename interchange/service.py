"""What the command and the web page share: run an import with its batch
record and progress file, and say what came of it."""

import json
import os
import re
import shutil
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import ImportBatch

from . import runlock
from .changes import described
from .importer import import_bundle
from .sources import sha256_of


# A batch created for a process that has not taken it on yet (see
# ImportBatch.claimed_at) counts as running for this long: the background
# process needs a few seconds to start.
START_GRACE = timedelta(seconds=60)


class NotRun(Exception):
    """The batch was not run (it was no longer waiting to run); the message says why."""


def progress_path(batch_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"batch-{batch_id}.progress.json"


def log_path(batch_id) -> Path:
    """Where the background process of the Import page writes its output."""
    return Path(settings.MEDIA_ROOT) / "imports" / f"batch-{batch_id}.log"


def read_progress(batch_id) -> dict:
    try:
        with open(progress_path(batch_id)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def _write_progress(batch_id, data):
    path = progress_path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def _waiting_for_another(batch_id, notice=None):
    def on_wait():
        if batch_id is not None:
            _write_progress(batch_id, {"waiting": True})
        if notice:
            notice()

    return on_wait


def run(path, *, dry_run=False, user=None, batch_id=None, progress=None, on_wait=None, own_process=False):
    """Import `path`; return (report, batch). A real import is recorded as an
    ImportBatch (created here unless `batch_id` names one); a command-line dry
    run is not, since it writes nothing.

    While it runs, the process holds the batch's lock (runlock.BatchLock), so
    the pages can tell a running import from one whose process died; on
    SQLite it first waits for any other import to finish (runlock.ImportLock;
    `on_wait` is called if it has to). Raises NotRun when `batch_id` names a
    batch that is no longer waiting to run (already run, or given up as
    interrupted because its process did not start in time).

    `own_process`: this process runs the import alone (the import_bundle
    command), so that a cancel on the Import page may end it (runlock.stop)."""
    with ExitStack() as held:
        batch = None
        if batch_id is not None:
            # The batch's lock first: a batch waiting for another import is alive.
            held.enter_context(runlock.BatchLock(batch_id))
            if own_process:
                runlock.record_pid(batch_id)  # for a cancel from the Import page
        held.enter_context(runlock.ImportLock(on_wait=_waiting_for_another(batch_id, on_wait)))
        if batch_id is not None:
            if not ImportBatch.objects.filter(
                pk=batch_id, status=ImportBatch.Status.RUNNING, claimed_at=None
            ).update(claimed_at=timezone.now()):
                raise NotRun(_("Import batch %(id)s is not waiting to run.") % {"id": batch_id})
            batch = ImportBatch.objects.get(pk=batch_id)
            dry_run = batch.dry_run
            user = batch.user
        elif not dry_run:
            batch = ImportBatch.objects.create(
                user=user,
                file_name=Path(path).name,
                sha256=sha256_of(path) if Path(path).exists() else "",
                dry_run=False,
            )
            held.enter_context(runlock.BatchLock(batch.pk))
            if own_process:
                runlock.record_pid(batch.pk)
            batch.claimed_at = timezone.now()
            batch.save(update_fields=["claimed_at"])
        if batch is not None and progress is None:
            last = [0.0]

            def progress(done, total, name):
                now = time.monotonic()
                if now - last[0] >= 0.5:
                    last[0] = now
                    _write_progress(batch.pk, {"done": done, "total": total, "file": name})

        before_commit = None
        if batch is not None and not dry_run:
            def before_commit(report):
                # The batch says "done" in the transaction that writes the
                # rows: a cancel (see cancel) either comes first, and the
                # rows are rolled back, or finds the import done.
                return _record(batch, report)

        try:
            report = import_bundle(
                path, dry_run=dry_run, user=user, batch=batch, progress=progress, before_commit=before_commit,
            )
        except Exception:
            if batch is not None:  # never leave the page waiting on a batch that died
                _record(batch, None, message=_("The import stopped on an internal error; nothing was written."))
                _finished(batch, keep_log=True)  # the traceback goes there
            raise
        if batch is not None:
            if not (report.ok and not dry_run) and not report.cancelled:
                _record(batch, report)  # a check, or an import refused: nothing was written
            batch.refresh_from_db()
            _finished(batch)
    return report, batch


def _record(batch, report, message=""):
    """Record how the batch ended (from `report`, or failed with `message`),
    unless it is no longer running (cancelled); return whether it was."""
    fields = {"finished_at": timezone.now()}
    if report is None:
        fields.update(status=ImportBatch.Status.FAILED, message=message)
    else:
        fields.update(
            status=ImportBatch.Status.DONE if report.ok else ImportBatch.Status.FAILED,
            counts=report.counts,
            changes=report.changes,
            error_count=report.error_count,
            # The quality warnings go with the errors, marked (`warning`): the batch's page splits them.
            errors=[e.as_dict() for e in report.errors] + [w.as_dict() for w in report.warnings],
            message=report.unusable,
        )
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).update(**fields)
    if updated:
        for name, value in fields.items():
            setattr(batch, name, value)
    return bool(updated)


# -- cancelling an import ---------------------------------------------------------


def cancelled_message(user, when):
    return _("Cancelled by %(user)s at %(time)s; nothing was written.") % {
        "user": user.get_username() if user is not None else "?",
        "time": date_format(localtime(when), "Y-m-d H:i:s"),
    }


class NotCancelled(Exception):
    """The import's process did not end when asked; the message says so."""


def cancel(batch, user) -> bool:
    """Cancel the running (or waiting) import of `batch`: its process ends,
    its transaction is rolled back, and the batch is interrupted with a
    message saying who cancelled it (its upload is kept, so that it can be
    started again). Returns False when it had finished meanwhile; raises
    NotCancelled when its process could not be ended.

    The outcome of an import is recorded in the transaction of its rows
    (run, before_commit), so a cancel and a commit cannot both win. On
    PostgreSQL the batch is marked first (waiting, if the import is
    committing, for its row) and then the process is ended; an import that
    reaches its commit anyway finds the batch no longer running and rolls
    back. On SQLite, one writer at a time, the process is ended first (its
    rollback is the kernel's and SQLite's), then the batch is marked."""
    now = timezone.now()
    fields = {
        "status": ImportBatch.Status.INTERRUPTED,
        "finished_at": now,
        "message": cancelled_message(user, now),
    }
    running = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING)
    if connection.vendor == "sqlite":
        if not runlock.stop(batch.pk):
            raise NotCancelled(_("The import's process did not end; try again, or stop it on the server."))
        cancelled = running.update(**fields)
    else:
        cancelled = running.update(**fields)
        if cancelled:
            # Its session ends at once, so it can commit nothing; a process
            # on another application server fails at its next query.
            runlock.stop(batch.pk)
    batch.refresh_from_db()
    if cancelled:
        runlock.forget(batch.pk)
        _finished(batch)
    return bool(cancelled)


# -- batches whose process died ---------------------------------------------------


def interrupted_message():
    return _(
        "The import stopped before it finished (its process ended: killed, or the server "
        "restarted); nothing was written."
    )


def reap(batches):
    """Mark as interrupted the running batches among `batches` whose process
    is gone; updates the given objects too. One query for the locks on
    PostgreSQL (none when no batch is running), one update per dead batch.

    On SQLite the mark waits while another import holds the database: the
    batch is shown as interrupted, and saved as such by a later look."""
    running = [b for b in batches if b.status == ImportBatch.Status.RUNNING]
    if not running:
        return
    now = timezone.now()
    suspects = [b for b in running if b.claimed_at is not None or b.started_at < now - START_GRACE]
    if not suspects:
        return
    live = runlock.alive(b.pk for b in suspects)
    dead = [b for b in suspects if b.pk not in live]
    if not dead:
        return
    save = not runlock.import_running()
    for b in dead:
        b.status = ImportBatch.Status.INTERRUPTED
        b.finished_at = now
        b.message = interrupted_message()
        if save:
            # Only if still running: the process may have finished meanwhile.
            updated = ImportBatch.objects.filter(pk=b.pk, status=ImportBatch.Status.RUNNING).update(
                status=b.status, finished_at=now, message=b.message
            )
            if not updated:
                b.refresh_from_db()
                continue
            runlock.forget(b.pk)
            _finished(b)


# -- uploaded files -------------------------------------------------------------


def upload_path(batch):
    """The uploaded file of a batch of the Import page, or None (command-line imports)."""
    return Path(settings.MEDIA_ROOT) / batch.upload if batch.upload else None


def upload_needed(upload) -> bool:
    """Whether an upload (ImportBatch.upload) may still be run: a batch is
    running it, a clean dry run of it waits for confirmation, or its last run
    was interrupted (and can be started again)."""
    batches = ImportBatch.objects.filter(upload=upload)
    if batches.filter(status=ImportBatch.Status.RUNNING).exists():
        return True
    last = batches.order_by("-pk").first()
    if last is None:
        return False
    return last.status == ImportBatch.Status.INTERRUPTED or (
        last.dry_run and last.status == ImportBatch.Status.DONE
    )


def discard_upload(upload):
    """Delete an uploaded file and its folder (MEDIA_ROOT/imports/<random>/)."""
    path = Path(settings.MEDIA_ROOT) / upload
    imports = (Path(settings.MEDIA_ROOT) / "imports").resolve()
    folder = path.parent.resolve()
    if folder.parent != imports:  # never anything else than an upload's own folder
        return
    shutil.rmtree(folder, ignore_errors=True)


def _finished(batch, keep_log=False):
    """What a batch that has finished no longer needs: its progress file, its
    log (the batch holds the report), and its upload unless it may still be run."""
    progress_path(batch.pk).unlink(missing_ok=True)
    runlock.forget_pid(batch.pk)
    if not keep_log:
        log_path(batch.pk).unlink(missing_ok=True)
    if batch.upload and not upload_needed(batch.upload):
        discard_upload(batch.upload)


def clean_uploads(older_than: timedelta, *, now=None, dry_run=False):
    """Remove what imports left under MEDIA_ROOT/imports/ and no longer need:
    uploads untouched for `older_than` that no running import uses (a dry
    run waiting that long for confirmation expires), and the progress, log and
    lock files of batches that are not running. Marks dead running batches
    as interrupted first. Returns the list of removed paths (relative)."""
    root = Path(settings.MEDIA_ROOT)
    folder = root / "imports"
    if not folder.is_dir():
        return []
    if not dry_run:
        reap(list(ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING)))
    cutoff = (now or timezone.now()).timestamp() - older_than.total_seconds()
    running = set(
        ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).values_list("pk", flat=True)
    )
    in_use = set(
        ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).values_list("upload", flat=True)
    )
    removed = []
    for entry in sorted(folder.iterdir()):
        relative = entry.relative_to(root)
        try:
            mtime = entry.stat().st_mtime
        except FileNotFoundError:
            continue
        if mtime >= cutoff:
            continue
        if entry.is_dir():
            if any(str(relative) == str(Path(u).parent) for u in in_use if u):
                continue
            if not dry_run:
                shutil.rmtree(entry, ignore_errors=True)
            removed.append(str(relative))
            continue
        match = re.fullmatch(r"batch-(\d+)\.(progress\.json|progress\.tmp|log|lock|pid)", entry.name)
        if match and int(match.group(1)) not in running:
            if not dry_run:
                entry.unlink(missing_ok=True)
            removed.append(str(relative))
    return removed


def report_text(report) -> str:
    """The report as the command prints it."""
    lines = []
    if report.unusable:
        return _("Unusable input: %(message)s") % {"message": report.unusable}
    if report.error_count:
        lines.append(
            ngettext(
                "%(n)d error; nothing was written.", "%(n)d errors; nothing was written.", report.error_count
            )
            % {"n": report.error_count}
        )
        for error in report.errors:
            lines.append(str(error))  # a file's errors not kept: a note of how many
        if report.changes:
            lines.append("")
            lines.append(_("Without these errors, the import would change these rows:"))
            lines += changes_text(report.changes)
        return "\n".join(lines)
    head = _("Dry run: nothing was written.") if report.dry_run else _("Imported.")
    rows = ngettext("%(n)s row", "%(n)s rows", report.rows) % {"n": f"{report.rows:,}"}
    lines.append(f"{head} ({rows}, {report.seconds:.1f} s)")
    width = max((len(label) for label in report.counts), default=10)
    # Translated outside the f-string: xgettext does not look inside f-strings.
    file_, created, updated, unchanged = _("file"), _("created"), _("updated"), _("unchanged")
    lines.append(f"{file_:<{width}}  {created:>9}  {updated:>9}  {unchanged:>9}")
    for label, c in report.counts.items():
        lines.append(f"{label:<{width}}  {c['created']:>9}  {c['updated']:>9}  {c['unchanged']:>9}")
    lines.extend(_warnings_text(report))
    if report.changes:
        lines.append("")
        lines.append(_("The import would change these rows:"))
        lines += changes_text(report.changes)
    return "\n".join(lines)


def _warnings_text(report):
    """The report's quality warnings, one a line, after a line counting them."""
    if not report.warning_count:
        return []
    lines = [ngettext(
        "%(n)d warning (the rows are imported; check them):",
        "%(n)d warnings (the rows are imported; check them):",
        report.warning_count,
    ) % {"n": report.warning_count}]
    lines.extend(str(w) for w in report.warnings)
    if report.warning_count > len(report.warnings):
        lines.append(_("… and %(n)s more") % {"n": f"{report.warning_count - len(report.warnings):,}"})
    return lines


def changes_text(changes) -> list:
    """The lines that list the rows an import would update, old -> new."""
    lines = []
    for found in described(changes):
        lines.append(
            ngettext("%(file)s: %(n)s row changed", "%(file)s: %(n)s rows changed", found["total"])
            % {"file": found["file"], "n": f"{found['total']:,}"}
        )
        for row in found["rows"]:
            where = _("line %(n)d") % {"n": row["line"]}
            lines.append(f"  {row['key']} ({where})")
            for f in row["fields"]:
                lines.append(f"    {f['label']}: {f['old']} → {f['new']}")
        if found["more"]:
            lines.append("  " + ngettext(
                "… and %(n)s more changed row (the first %(kept)s are listed)",
                "… and %(n)s more changed rows (the first %(kept)s are listed)",
                found["more"],
            ) % {"n": f"{found['more']:,}", "kept": len(found["rows"])})
    return lines


def report_json(report) -> str:
    return json.dumps(
        {
            "ok": report.ok,
            "dry_run": report.dry_run,
            "unusable": report.unusable,
            "error_count": report.error_count,
            "errors": [e.as_dict() for e in report.errors],
            "warning_count": report.warning_count,
            "warnings": [w.as_dict() for w in report.warnings],
            "counts": report.counts,
            "changes": report.changes,
            "rows": report.rows,
        },
        ensure_ascii=False,
        indent=1,
    )
