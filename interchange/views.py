"""The Import page (admins only): upload -> dry-run report -> confirm -> imported,
the download of the whole database as a bundle, and the workbook to fill
offline (admins and coordinators).

Imports run outside the request (a background process by default) so a large
upload never meets a request timeout; the status page refreshes itself
(no JavaScript needed) and shows the progress the import writes.
"""

import hashlib
import re
import subprocess
import sys
import tempfile
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.scope import admin_required, can_create, editable_programs, editors_required
from accounts.security import check_upload_size
from audit.models import ImportBatch

from . import runlock, service
from .changes import described
from .exporter import ExportError, export_bundle, zip_chunks
from .template import build_template

ALLOWED_SUFFIXES = (".zip", ".xlsx", ".csv")


# Admins only (accounts.scope): other roles get 403, signed-out users the
# sign-in page (the login-required middleware).


class UploadForm(forms.Form):
    bundle = forms.FileField(
        label=gettext_lazy("Bundle"),
        help_text=gettext_lazy("A .zip of CSV files, an .xlsx workbook, or one CSV file named as in the format."),
    )

    def clean_bundle(self):
        upload = self.cleaned_data["bundle"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Upload a .zip, an .xlsx or a .csv file."))
        # Too large: "The file X is 60 MB; imports are limited to 50 MB. ..."
        return check_upload_size(upload)


def _save_upload(upload):
    """Store the upload under MEDIA_ROOT/imports/<random>/; return (relative path, sha256)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(upload.name).name)[:100] or "bundle"
    relative = Path("imports") / uuid.uuid4().hex / name
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(target, "wb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
    return str(relative), digest.hexdigest()


def _start(batch):
    """Run the batch's import in the background (or inline, see settings)."""
    path = Path(settings.MEDIA_ROOT) / batch.upload
    if settings.INTERCHANGE_RUNNER == "inline":
        service.run(path, batch_id=batch.pk)
        return
    log = open(service.log_path(batch.pk), "ab")
    process = subprocess.Popen(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "import_bundle", str(path),
         "--batch", str(batch.pk), "--no-progress"],
        cwd=settings.BASE_DIR, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    log.close()
    # Reap the child when it ends, so a long-running server collects no zombies.
    threading.Thread(target=process.wait, daemon=True).start()


def _another_import_running():
    """On SQLite, a message when another import is running now, else None.

    SQLite has one writer at a time: while an import runs, even creating the
    next batch would wait for the busy timeout and then fail, so a second
    import is refused at once with this message. (On PostgreSQL a second
    import is accepted and waits its turn.)"""
    if not runlock.import_running():
        return None
    other = ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).order_by("-pk").first()
    if other is None:
        return _("Another import is running; try again when it has finished. Nothing was imported.")
    return _(
        "Another import is running (%(file)s, started %(started)s); try again when it has "
        "finished. Nothing was imported."
    ) % {"file": other.file_name, "started": date_format(localtime(other.started_at), "Y-m-d H:i")}


def _create_and_start(**fields):
    """Create a batch and start it; None if SQLite is busy with another import."""
    try:
        batch = ImportBatch.objects.create(**fields)
    except OperationalError:  # SQLite: another import began between the check and now
        return None
    _start(batch)
    return batch


@admin_required
def index(request):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            busy = _another_import_running()
            if busy:
                form.add_error(None, busy)
            else:
                # Leftovers of earlier imports go first (expired dry runs, old logs).
                service.clean_uploads(timedelta(hours=settings.INTERCHANGE_UPLOAD_KEEP_HOURS))
                upload = form.cleaned_data["bundle"]
                relative, sha256 = _save_upload(upload)
                batch = _create_and_start(
                    user=request.user, file_name=upload.name[:255], sha256=sha256,
                    dry_run=True, upload=relative,
                )
                if batch is not None:
                    return redirect("interchange:batch", pk=batch.pk)
                service.discard_upload(relative)
                form.add_error(None, _another_import_running() or _("The database is busy; try again."))
    else:
        form = UploadForm()
    batches = list(ImportBatch.objects.select_related("user")[:20])
    service.reap(batches)
    return render(request, "interchange/index.html", {"form": form, "batches": batches})


@admin_required
def batch(request, pk):
    batch = get_object_or_404(ImportBatch.objects.select_related("user"), pk=pk)
    service.reap([batch])
    running = batch.status == ImportBatch.Status.RUNNING
    progress = service.read_progress(batch.pk) if running else {}
    confirmed = None
    if batch.dry_run and batch.upload:
        confirmed = ImportBatch.objects.filter(dry_run=False, upload=batch.upload).order_by("-pk").first()
    path = service.upload_path(batch)
    errors = [e for e in batch.errors if not e.get("warning")]
    response = render(
        request,
        "interchange/batch.html",
        {
            "batch": batch,
            "errors": errors,
            # Quality warnings (kept with the errors, marked): they did not stop the import.
            "warnings": [e for e in batch.errors if e.get("warning")],
            "running": running,
            "interrupted": batch.status == ImportBatch.Status.INTERRUPTED,
            "progress": progress,
            "percent": int(100 * progress["done"] / progress["total"]) if progress.get("total") else None,
            # Errors neither listed nor in a file's note of how many more it
            # has (batches recorded before the notes: the rest of the 1,000).
            "more_errors": max(0, batch.error_count - sum(e.get("more", 1) for e in errors)),
            "confirmed": confirmed,
            # What a check found the import would update, labelled in the reader's language.
            "changes": described(batch.changes) if batch.dry_run else [],
            # Uploads waiting for confirmation or a new start expire (clean_uploads).
            "upload_kept": path is not None and path.is_file(),
        },
    )
    if running:
        response["Refresh"] = "2"  # the page reloads itself while the import runs, no JavaScript
    return response


def _refused(request, batch):
    busy = _another_import_running()
    if busy:
        messages.error(request, busy)
        return redirect("interchange:batch", pk=batch.pk)
    path = service.upload_path(batch)
    if path is None or not path.is_file():
        messages.error(request, _("The uploaded file is no longer kept; upload it again."))
        return redirect("interchange:batch", pk=batch.pk)
    return None


@admin_required
@require_POST
def confirm(request, pk):
    """Import for real a bundle whose dry run found no error."""
    dry = get_object_or_404(ImportBatch, pk=pk, dry_run=True)
    if dry.status != ImportBatch.Status.DONE or not dry.upload:
        # Its page offers no button then; say why rather than "not allowed".
        if dry.status == ImportBatch.Status.FAILED:
            why = _(
                "This check found errors, so it cannot be imported. Correct the file and upload it again."
            )
        elif dry.status == ImportBatch.Status.DONE:
            why = _("The uploaded file is no longer kept; upload it again.")
        else:
            why = _("This check has not finished; it can be imported once it has, without errors.")
        messages.error(request, why)
        return redirect("interchange:batch", pk=dry.pk)
    existing = ImportBatch.objects.filter(dry_run=False, upload=dry.upload).first()
    if existing:  # a second click imports nothing twice
        return redirect("interchange:batch", pk=existing.pk)
    refused = _refused(request, dry)
    if refused:
        return refused
    real = _create_and_start(
        user=request.user, file_name=dry.file_name, sha256=dry.sha256, dry_run=False, upload=dry.upload
    )
    if real is None:
        messages.error(request, _another_import_running() or _("The database is busy; try again."))
        return redirect("interchange:batch", pk=dry.pk)
    return redirect("interchange:batch", pk=real.pk)


@admin_required
@require_POST
def restart(request, pk):
    """Start an interrupted check or import again, with the same uploaded file."""
    old = get_object_or_404(ImportBatch, pk=pk)
    service.reap([old])  # as its page did (SQLite may not have saved it yet)
    if old.status != ImportBatch.Status.INTERRUPTED or not old.upload:
        if old.status == ImportBatch.Status.INTERRUPTED:
            messages.error(request, _("The uploaded file is no longer kept; upload it again."))
        else:
            messages.error(request, _("Only an interrupted check or import can be started again."))
        return redirect("interchange:batch", pk=old.pk)
    newer = ImportBatch.objects.filter(upload=old.upload, pk__gt=old.pk).order_by("pk").first()
    if newer:  # a second click starts nothing twice
        return redirect("interchange:batch", pk=newer.pk)
    refused = _refused(request, old)
    if refused:
        return refused
    again = _create_and_start(
        user=request.user, file_name=old.file_name, sha256=old.sha256, dry_run=old.dry_run, upload=old.upload
    )
    if again is None:
        messages.error(request, _another_import_running() or _("The database is busy; try again."))
        return redirect("interchange:batch", pk=old.pk)
    return redirect("interchange:batch", pk=again.pk)


@admin_required
@require_POST
def cancel(request, pk):
    """Cancel a running or waiting check or import: its process ends, its
    transaction is rolled back, the batch says who cancelled it."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    service.reap([batch])
    if batch.status != ImportBatch.Status.RUNNING:
        messages.error(request, _("Only a running or waiting check or import can be cancelled."))
        return redirect("interchange:batch", pk=batch.pk)
    try:
        cancelled = service.cancel(batch, request.user)
    except service.NotCancelled as exc:
        messages.error(request, str(exc))
    else:
        if cancelled:
            messages.success(request, _("Cancelled: nothing was written."))
        else:
            messages.info(request, _("It had finished before it could be cancelled."))
    return redirect("interchange:batch", pk=batch.pk)


@admin_required
def export(request, fmt):
    """The whole database as a .zip of CSV files (sent while it is being
    written: memory stays flat and the first bytes leave at once) or an
    .xlsx workbook (written to a temporary file first; refused with a
    message when a table has more rows than a worksheet holds)."""
    if fmt == "zip":
        response = StreamingHttpResponse(zip_chunks(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="aidtracker-bundle.zip"'
        return response
    if fmt != "xlsx":
        raise Http404
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    try:
        export_bundle(handle.name)
    except ExportError as exc:
        handle.close()
        messages.error(request, str(exc))
        return redirect("interchange:index")
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="aidtracker-bundle.xlsx")


@editors_required
def template(request):
    """The workbook to fill offline (interchange/template.py), for the
    programs the user may write or, with ?program=<code>, for one of them.
    Admins and coordinators with programs: those who write the records it
    holds (an admin imports it)."""
    if not can_create(request.user):
        raise PermissionDenied(_("No program is assigned to you."))
    program = None
    code = request.GET.get("program", "").strip()
    if code:
        program = editable_programs(request.user).filter(code=code).first()
        if program is None:
            raise Http404(_("No program %(code)s among those you may write.") % {"code": code})
    workbook = build_template(request.user, program)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    workbook.save(handle.name)
    handle.seek(0)
    name = f"aidtracker-template-{program.code}.xlsx" if program else "aidtracker-template.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)
