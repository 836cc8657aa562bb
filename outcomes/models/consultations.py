"""Consultations of a recipient hospital by a donor hospital's experts."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scope import ScopedQuerySet
from aidtracker.lib.periods import Period, within_q
from audit.models import HistoryBase, LeanHistoricalRecords
from hospitals.models import Hospital, Specialty, in_regions_q
from outcomes.models.common import (
    RefManager,
    RefModel,
    ref_unique,
)


class ConsultationQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """Consultations requested or given by hospitals in the regions `codes`."""
        return self.filter(in_regions_q(codes, "requesting_hospital__region", "consulting_hospital__region"))

    def within(self, period: Period):
        return self.filter(within_q(period, "date"))

    def in_region(self, region):
        """Consultations requested by hospitals in `region`."""
        return self.filter(requesting_hospital__in=Hospital.objects.in_region(region))

    def of_program(self, program):
        """The remote support of `program` (a remote-support program is
        judged by these, not by on-site coverage): consultations requested by
        the program's recipient hospital and given by the donor hospital of
        one of its twinnings or by any hospital of its donor region, on any
        date. The program page's table and the consultation list's `program`
        filter both count these."""
        return self.filter(
            models.Q(consulting_hospital__in=Hospital.objects.in_region(program.donor_region_id))
            | models.Q(consulting_hospital__in=program.twinnings.values("donor_hospital")),
            requesting_hospital=program.recipient_hospital_id,
        )

    def of_donor(self, donor):
        """Consultations given by hospitals of the donor region `donor`."""
        return self.filter(consulting_hospital__in=Hospital.objects.in_region(donor))


class ConsultationManager(RefManager.from_queryset(ConsultationQuerySet)):
    pass


class Consultation(RefModel):
    class Mode(models.TextChoices):
        REMOTE = "remote", _("remote")
        ONSITE = "onsite", _("on site")

    date = models.DateField(_("date"))
    requesting_hospital = models.ForeignKey(
        Hospital, verbose_name=_("requesting hospital"), on_delete=models.PROTECT,
        related_name="consultations_requested", db_index=False,
    )
    consulting_hospital = models.ForeignKey(
        Hospital, verbose_name=_("consulting hospital"), on_delete=models.PROTECT,
        related_name="consultations_given",
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)

    # A coordinator edits it when one of these is a recipient hospital of
    # their programs (accounts/scope.py).
    scope_hospital_paths = ("requesting_hospital",)
    # Refused after today (outcomes.models.common.EventDatesRule, spec section 2).
    event_date_fields = ("date",)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = ConsultationManager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-date", "ref"]
        constraints = [ref_unique("consultation_ref_unique")]
        indexes = [
            # Region summary: consultations requested by a region's hospitals
            # within a period.
            models.Index(fields=["requesting_hospital", "date"], name="consultation_req_date_idx"),
        ]

    def get_absolute_url(self):
        return reverse("outcomes:consultation", args=[self.pk])


