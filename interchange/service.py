"""What the command and the web page share: run an import with its batch
record and progress file, and say what came of it."""

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import ImportBatch

from .importer import ERROR_CAP, import_bundle
from .sources import sha256_of


def progress_path(batch_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"batch-{batch_id}.progress.json"


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


def run(path, *, dry_run=False, user=None, batch_id=None, progress=None):
    """Import `path`; return (report, batch). A real import is recorded as an
    ImportBatch (created here unless `batch_id` names one); a command-line dry
    run is not, since it writes nothing."""
    batch = None
    if batch_id is not None:
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
    if batch is not None and progress is None:
        last = [0.0]

        def progress(done, total, name):
            now = time.monotonic()
            if now - last[0] >= 0.5:
                last[0] = now
                _write_progress(batch.pk, {"done": done, "total": total, "file": name})

    try:
        report = import_bundle(path, dry_run=dry_run, user=user, batch=batch, progress=progress)
    except Exception:
        if batch is not None:  # never leave the page waiting on a batch that died
            batch.status = ImportBatch.Status.FAILED
            batch.finished_at = timezone.now()
            batch.message = _("The import stopped on an internal error; nothing was written.")
            batch.save()
        raise
    if batch is not None:
        batch.status = ImportBatch.Status.DONE if report.ok else ImportBatch.Status.FAILED
        batch.finished_at = timezone.now()
        batch.counts = report.counts
        batch.error_count = report.error_count
        batch.errors = [e.as_dict() for e in report.errors]
        batch.message = report.unusable
        batch.save()
        _write_progress(batch.pk, {"done": report.rows, "total": report.rows, "file": ""})
    return report, batch


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
            lines.append(str(error))
        if report.error_count > len(report.errors):
            lines.append(
                _("... and %(n)d more errors (the first %(cap)d are shown).")
                % {"n": report.error_count - len(report.errors), "cap": ERROR_CAP}
            )
        return "\n".join(lines)
    head = _("Dry run: nothing was written.") if report.dry_run else _("Imported.")
    lines.append(f"{head} ({report.rows} rows, {report.seconds:.1f} s)")
    width = max((len(label) for label in report.counts), default=10)
    # Translated outside the f-string: xgettext does not look inside f-strings.
    file_, created, updated, unchanged = _("file"), _("created"), _("updated"), _("unchanged")
    lines.append(f"{file_:<{width}}  {created:>9}  {updated:>9}  {unchanged:>9}")
    for label, c in report.counts.items():
        lines.append(f"{label:<{width}}  {c['created']:>9}  {c['updated']:>9}  {c['unchanged']:>9}")
    return "\n".join(lines)


def report_json(report) -> str:
    return json.dumps(
        {
            "ok": report.ok,
            "dry_run": report.dry_run,
            "unusable": report.unusable,
            "error_count": report.error_count,
            "errors": [e.as_dict() for e in report.errors],
            "counts": report.counts,
            "rows": report.rows,
        },
        ensure_ascii=False,
        indent=1,
    )
