"""Techniques newly introduced at a hospital."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scope import ScopedQuerySet
from aidtracker.lib.periods import Period, within_q
from audit.models import HistoryBase, LeanHistoricalRecords
from deployments.models import Program
from hospitals.models import Hospital, Specialty, donated_by_q, in_regions_q
from outcomes.models.common import (
    RefManager,
    RefModel,
    ref_unique,
)


class TechniqueQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """Techniques at hospitals in the regions `codes`, and those of the programs they donate."""
        return self.filter(in_regions_q(codes, "hospital__region") | donated_by_q(codes, "program"))

    def in_region(self, region):
        return self.filter(hospital__in=Hospital.objects.in_region(region))

    def within(self, period: Period):
        return self.filter(within_q(period, "introduced_on"))

    def of_donor(self, donor):
        """Techniques that name a program of the donor region `donor`."""
        return self.filter(program__donor_region=donor)


class TechniqueManager(RefManager.from_queryset(TechniqueQuerySet)):
    pass


class Technique(RefModel):
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT,
        related_name="techniques", db_index=False,
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    introduced_on = models.DateField(_("introduced on"))
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="techniques",
    )
    first_in_region = models.BooleanField(_("first in region"), default=False)

    # A coordinator edits it when one of these is a recipient hospital of
    # their programs (accounts/scope.py).
    scope_hospital_paths = ("hospital",)
    # Refused after today (outcomes.models.common.EventDatesRule, spec section 2).
    event_date_fields = ("introduced_on",)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = TechniqueManager()

    class Meta:
        verbose_name = _("technique")
        verbose_name_plural = _("techniques")
        ordering = ["-introduced_on", "ref"]
        constraints = [ref_unique("technique_ref_unique")]
        indexes = [
            # Region summary and the techniques-per-year chart: a region's
            # hospitals' techniques introduced within a period.
            models.Index(fields=["hospital", "introduced_on"], name="technique_hospital_date_idx"),
        ]

    def get_absolute_url(self):
        return reverse("outcomes:technique", args=[self.pk])


