"""What the project package itself stores: the data version of cached figures."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """One row whose `version` goes up with every write to the domain data.

    Cached figures are keyed by it (aidtracker/cache.py). It lives in the
    database, not in the cache, because the local-memory cache is per
    process: with several gunicorn workers or servers, only the database is
    shared by all of them, and an UPDATE of this row inside the writing
    transaction makes the new version visible exactly when the new data is.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(_("data version"), default=1)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data version")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="dataversion_single_row"),
        ]

    def __str__(self):
        return str(self.version)
