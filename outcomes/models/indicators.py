"""Monthly indicators of a hospital."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scope import ScopedQuerySet
from audit.models import HistoryBase, LeanHistoricalRecords
from hospitals.models import Hospital, in_regions_q
from outcomes.models.common import (
    INDICATOR_PERIOD_MESSAGE,
    EventDatesRule,
    NOT_NEGATIVE,
    not_negative_constraint,
)


class IndicatorValueQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        return self.filter(in_regions_q(codes, "hospital__region"))


class IndicatorValueManager(models.Manager.from_queryset(IndicatorValueQuerySet)):
    def get_by_natural_key(self, hospital, period, indicator):
        return self.get(hospital=hospital, period=period, indicator=indicator)

    def set_month(self, hospital, month, values: dict) -> dict:
        """Make `hospital`'s indicators of `month` (its first day) those of
        `values` ({indicator code: Decimal, or None for not reported}),
        each row saved or deleted on its own so that its history records
        the change; returns {"added", "changed", "removed"}: the codes of
        each. Call it in a transaction."""
        existing = {row.indicator: row for row in self.filter(hospital=hospital, period=month)}
        done = {"added": [], "changed": [], "removed": []}
        for code, value in values.items():
            row = existing.get(code)
            if value is None:
                if row is not None:
                    row.delete()
                    done["removed"].append(code)
            elif row is None:
                row = self.model(hospital=hospital, period=month, indicator=code, value=value)
                row.full_clean()
                row.save()
                done["added"].append(code)
            elif row.value != value:
                row.value = value
                row.full_clean()
                row.save()
                done["changed"].append(code)
        return done


class IndicatorValue(EventDatesRule, models.Model):
    """One monthly figure of one hospital; `period` is the month's first day."""

    class Indicator(models.TextChoices):
        OUTPATIENT_VISITS = "outpatient_visits", _("outpatient visits")
        INPATIENT_ADMISSIONS = "inpatient_admissions", _("inpatient admissions")
        SURGERIES_TOTAL = "surgeries_total", _("surgeries (all)")
        OUTBOUND_REFERRALS = "outbound_referrals", _("outbound referrals")
        CONDITIONS_TREATABLE = "conditions_treatable", _("conditions treatable")
        NEONATAL_DEATHS = "neonatal_deaths", _("neonatal deaths")
        LIVE_BIRTHS = "live_births", _("live births")

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT,
        related_name="indicator_values", db_index=False,
    )
    period = models.DateField(_("month"))
    indicator = models.CharField(_("indicator"), max_length=24, choices=Indicator.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, validators=NOT_NEGATIVE)

    # A month after this one is refused (EventDatesRule: its first day is after today).
    event_date_fields = ("period",)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = IndicatorValueManager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["hospital", "period", "indicator"]
        constraints = [
            # Also the index of the hospital page's monthly indicators
            # (hospital, then months in order).
            models.UniqueConstraint(
                fields=["hospital", "period", "indicator"],
                name="indicator_key_unique",
                violation_error_message=_("This hospital already has this indicator for this month."),
            ),
            models.CheckConstraint(
                condition=models.Q(period__day=1),
                name="indicator_period_first_of_month",
                violation_error_message=INDICATOR_PERIOD_MESSAGE,
            ),
            not_negative_constraint("value", "indicator_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.period:%Y-%m} {self.indicator}"

    def natural_key(self):
        return (self.hospital_id, self.period.isoformat(), self.indicator)

    natural_key.dependencies = ["hospitals.hospital"]
