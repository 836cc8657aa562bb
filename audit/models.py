"""Attribution of changes: import batches and the base of every history table.

Every record model keeps its history with django-simple-history (who, when,
before and after). Form and admin edits write history through the model's
signals; an import writes its history rows itself, in bulk, each carrying the
batch it came from, so that every imported row can be traced to the upload
(user, file name, SHA-256) that wrote it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ImportBatch(models.Model):
    """One import of one bundle: who, when, which file, and what it did."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        # The process running it died (killed, server restarted) before it
        # finished: its transaction was rolled back, nothing was written.
        INTERRUPTED = "interrupted", _("interrupted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When the process running the import took it on (interchange/runlock.py
    # holds a lock for it from then on): a running batch whose lock is free
    # after that was interrupted.
    claimed_at = models.DateTimeField(_("taken on at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    # {"surgeries.csv": {"created": 10, "updated": 2, "unchanged": 0}, ...}
    counts = models.JSONField(_("counts per file"), default=dict, blank=True)
    # A check's (dry run's) rows it would update, old -> new, the first 50 of
    # each file: {"teams.csv": {"model": ..., "rows": [...], "total": 3}}
    # (interchange/changes.py).
    changes = models.JSONField(_("changes per file"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("errors found"), default=0)
    # The first errors of a failed import (file, line, column, value, message).
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # Unusable input, or what went wrong outside the data itself.
    message = models.TextField(_("message"), blank=True)
    # Where an upload from the web page waits (relative to MEDIA_ROOT) between
    # its dry run and the confirmed import.
    upload = models.CharField(_("uploaded file"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class HistoryBase(models.Model):
    """Abstract base of every historical model: links a history row to its import."""

    # No foreign-key constraint in the database, like every other foreign key
    # of a history table (django-simple-history copies them all with
    # db_constraint=False): the importer writes the batch it has just created
    # in the same transaction, and a per-row deferred check of that one id
    # was a large share of a big import (docs/performance-history.md,
    # "Figures behind comments"). PROTECT still guards deleting a
    # batch (Django looks its history rows up by the indexed column).
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        abstract = True


class LeanHistoricalRecords(HistoricalRecords):
    """HistoricalRecords whose history table is indexed only where history is read.

    django-simple-history indexes every copied foreign key and unique field
    of the history table (on PostgreSQL each code-valued one twice: a btree
    and a `varchar_pattern_ops` `_like` index). History is only ever read by
    record (History pages and the admin's history: `id` = pk, newest first)
    and across records by date, user and import batch (recent changes), so
    the history table keeps exactly these indexes:

    - the primary key `history_id`;
    - the record's primary key (History pages: one record's history);
    - `history_date` (recent changes, newest first);
    - `history_user_id` (recent changes filtered by user);
    - `import_batch_id` (recent changes filtered by import batch; deleting a
      batch checks it is unreferenced).

    Every other index would only slow down the importer's bulk writes.

    `history_user` has no foreign-key constraint in the database either
    (`user_db_constraint=False`, as for `import_batch` in HistoryBase): its
    per-row deferred check, even of a NULL, cost seconds per million imported
    rows. Deleting a user still sets it to NULL (Django's SET_NULL, through
    the indexed column).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("user_db_constraint", False)
        super().__init__(*args, **kwargs)

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            if name != model._meta.pk.name:
                field.db_index = False
        return fields
