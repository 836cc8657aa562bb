"""The Import page (admins only): upload -> dry-run report -> confirm -> imported,
and the download of the whole database as a bundle.

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
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.scope import admin_required
from accounts.security import check_upload_size
from audit.models import ImportBatch

from . import service
from .exporter import ExportError, export_bundle, zip_chunks

ALLOWED_SUFFIXES = (".zip", ".xlsx", ".csv")


# Admins only (accounts.scope): other roles get 403, signed-out users the
# sign-in page (the login-required middleware).


class UploadForm(forms.Form):
    bundle = forms.FileField(
        label=_("Bundle"),
        help_text=_("A .zip of CSV files, an .xlsx workbook, or one CSV file named as in the format."),
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
    log = open(Path(settings.MEDIA_ROOT) / "imports" / f"batch-{batch.pk}.log", "ab")
    process = subprocess.Popen(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "import_bundle", str(path),
         "--batch", str(batch.pk), "--no-progress"],
        cwd=settings.BASE_DIR, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    log.close()
    # Reap the child when it ends, so a long-running server collects no zombies.
    threading.Thread(target=process.wait, daemon=True).start()


@admin_required
def index(request):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["bundle"]
            relative, sha256 = _save_upload(upload)
            batch = ImportBatch.objects.create(
                user=request.user, file_name=upload.name[:255], sha256=sha256,
                dry_run=True, upload=relative,
            )
            _start(batch)
            return redirect("interchange:batch", pk=batch.pk)
    else:
        form = UploadForm()
    batches = ImportBatch.objects.select_related("user")[:20]
    return render(request, "interchange/index.html", {"form": form, "batches": batches})


@admin_required
def batch(request, pk):
    batch = get_object_or_404(ImportBatch.objects.select_related("user"), pk=pk)
    progress = service.read_progress(batch.pk) if batch.status == ImportBatch.Status.RUNNING else {}
    confirmed = None
    if batch.dry_run and batch.upload:
        confirmed = ImportBatch.objects.filter(dry_run=False, upload=batch.upload).order_by("-pk").first()
    response = render(
        request,
        "interchange/batch.html",
        {
            "batch": batch,
            "running": batch.status == ImportBatch.Status.RUNNING,
            "progress": progress,
            "percent": int(100 * progress["done"] / progress["total"]) if progress.get("total") else None,
            "more_errors": max(0, batch.error_count - len(batch.errors)),
            "confirmed": confirmed,
        },
    )
    if batch.status == ImportBatch.Status.RUNNING:
        response["Refresh"] = "2"  # the page reloads itself while the import runs, no JavaScript
    return response


@admin_required
@require_POST
def confirm(request, pk):
    """Import for real a bundle whose dry run found no error."""
    dry = get_object_or_404(ImportBatch, pk=pk, dry_run=True)
    if dry.status != ImportBatch.Status.DONE or not dry.upload:
        raise PermissionDenied
    existing = ImportBatch.objects.filter(dry_run=False, upload=dry.upload).first()
    if existing:  # a second click imports nothing twice
        return redirect("interchange:batch", pk=existing.pk)
    real = ImportBatch.objects.create(
        user=request.user, file_name=dry.file_name, sha256=dry.sha256, dry_run=False, upload=dry.upload
    )
    _start(real)
    return redirect("interchange:batch", pk=real.pk)


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
