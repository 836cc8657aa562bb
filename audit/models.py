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


class ImportBatch(models.Model):
    """One import of one bundle: who, when, which file, and what it did."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

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
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    # {"surgeries.csv": {"created": 10, "updated": 2, "unchanged": 0}, ...}
    counts = models.JSONField(_("counts per file"), default=dict, blank=True)
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

    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True
