"""Patient movements: transfers in, referrals out, international patients."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scope import ScopedQuerySet
from aidtracker.lib.periods import Period, within_q
from audit.models import HistoryBase, LeanHistoricalRecords
from hospitals.models import Hospital, Region, in_regions_q
from outcomes.models.common import (
    NOT_NEGATIVE,
    REFERRAL_ENDS_MESSAGE,
    RefManager,
    RefModel,
    not_negative_constraint,
    ref_unique,
)


class ReferralQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """Referrals with either end in the regions `codes`."""
        return self.filter(in_regions_q(
            codes, "origin_hospital__region", "destination_hospital__region", "origin_region", "destination_region",
        ))

    def within(self, period: Period):
        return self.filter(within_q(period, "date"))

    def in_region(self, region):
        """Referrals that concern `region`: transfers in and international
        patients by their destination hospital, referrals out by their origin
        hospital (interchange spec, section 5)."""
        return self.of_hospitals(Hospital.objects.in_region(region))

    def of_hospitals(self, hospitals):
        """Referrals that concern the hospitals `hospitals` (a queryset or a
        list of them), by the rule of `in_region`: transfers in and
        international patients by their destination hospital, referrals out
        by their origin hospital."""
        return self.filter(
            models.Q(kind__in=[Referral.Kind.TRANSFER_IN, Referral.Kind.INTERNATIONAL],
                     destination_hospital__in=hospitals)
            | models.Q(kind=Referral.Kind.REFERRAL_OUT, origin_hospital__in=hospitals)
        )


class ReferralManager(RefManager.from_queryset(ReferralQuerySet)):
    pass


class Referral(RefModel):
    """A patient movement. `origin` and `destination` of the interchange format
    are each held by exactly one of a hospital, a region or (for an
    international patient's origin) an ISO 3166-1 country code."""

    class Kind(models.TextChoices):
        TRANSFER_IN = "transfer_in", _("transfer in")
        REFERRAL_OUT = "referral_out", _("referral out of the region")
        INTERNATIONAL = "international", _("international patient")

    class AgeGroup(models.TextChoices):
        NEONATE = "neonate", _("neonate")
        CHILD = "child", _("child")
        ADULT = "adult", _("adult")

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", _("recovered")
        IMPROVED = "improved", _("improved")
        DIED = "died", _("died")
        UNKNOWN = "unknown", _("unknown")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    origin_hospital = models.ForeignKey(
        Hospital, verbose_name=_("origin hospital"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="referrals_from", db_index=False,
    )
    origin_region = models.ForeignKey(
        Region, verbose_name=_("origin region"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    origin_country = models.CharField(
        _("origin country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code.")
    )
    destination_hospital = models.ForeignKey(
        Hospital, verbose_name=_("destination hospital"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="referrals_to", db_index=False,
    )
    destination_region = models.ForeignKey(
        Region, verbose_name=_("destination region"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices)
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=8, decimal_places=1, null=True, blank=True,
        validators=NOT_NEGATIVE,
    )
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=7, decimal_places=1, null=True, blank=True,
        validators=NOT_NEGATIVE,
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)

    # A coordinator edits it when one of these is a recipient hospital of
    # their programs (accounts/scope.py).
    scope_hospital_paths = ("origin_hospital", "destination_hospital")
    # Refused after today (outcomes.models.common.EventDatesRule, spec section 2).
    event_date_fields = ("date",)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = ReferralManager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-date", "ref"]
        constraints = [
            ref_unique("referral_ref_unique"),
            models.CheckConstraint(
                name="referral_ends_match_kind",
                condition=(
                    # transfer in: from a region or a hospital, to a hospital
                    models.Q(
                        kind="transfer_in", destination_hospital__isnull=False,
                        destination_region__isnull=True, origin_country="",
                    )
                    & (
                        models.Q(origin_hospital__isnull=False, origin_region__isnull=True)
                        | models.Q(origin_hospital__isnull=True, origin_region__isnull=False)
                    )
                )
                | (
                    # referral out: from a hospital, to a region or a hospital
                    models.Q(
                        kind="referral_out", origin_hospital__isnull=False,
                        origin_region__isnull=True, origin_country="",
                    )
                    & (
                        models.Q(destination_hospital__isnull=False, destination_region__isnull=True)
                        | models.Q(destination_hospital__isnull=True, destination_region__isnull=False)
                    )
                )
                | (
                    # international: from a country, to a hospital
                    models.Q(
                        kind="international", origin_hospital__isnull=True,
                        origin_region__isnull=True, destination_hospital__isnull=False,
                        destination_region__isnull=True,
                    )
                    & ~models.Q(origin_country="")
                ),
                violation_error_message=REFERRAL_ENDS_MESSAGE,
            ),
            not_negative_constraint("distance_km", "referral_distance_not_negative"),
            not_negative_constraint("duration_hours", "referral_duration_not_negative"),
        ]
        indexes = [
            # Region summary: transfers in and international patients by
            # destination hospital within a period.
            models.Index(fields=["destination_hospital", "date"], name="referral_dest_date_idx"),
            # Region summary: referrals out by origin hospital within a period.
            models.Index(fields=["origin_hospital", "date"], name="referral_origin_date_idx"),
        ]

    @property
    def origin(self) -> str:
        """The interchange format's `origin`: a hospital, region or country code."""
        return self.origin_hospital_id or self.origin_region_id or self.origin_country

    @property
    def destination(self) -> str:
        return self.destination_hospital_id or self.destination_region_id or ""

    def get_absolute_url(self):
        return reverse("outcomes:referral", args=[self.pk])


