"""The dashboards' filters: period, specialty and donor, all in the URL.

The parameter names are those of the record lists (`date_after`,
`date_before`, `specialty`, `donor`), so a card's link carries them over
unchanged and the list shows the very rows behind the figure.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from deployments.models import Twinning
from figures.overview import recipient_regions
from hospitals.models import Specialty
from aidtracker.lib.filters import DATE_WIDGET, PeriodBoundFilter, RecordFilterForm
from hospitals.filters import donor_filter, specialty_filter
from aidtracker.lib.periods import Period


class DashboardForm(RecordFilterForm):
    """Reads the valid filter values back as the summary's arguments."""

    def values(self):
        """(period, specialty, donor) from valid data; everything open otherwise."""
        if not self.is_bound or not self.is_valid():
            return Period(), None, None
        data = self.cleaned_data
        return (
            Period(data.get("date_after"), data.get("date_before")),
            data.get("specialty"),
            data.get("donor"),
        )

    def params(self):
        """The valid, non-empty filter values as URL parameters."""
        if not self.is_bound or not self.is_valid():
            return {}
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            out[name] = value.isoformat() if hasattr(value, "isoformat") else getattr(value, "pk", value)
        return out


class OverviewForm(DashboardForm):
    date_after = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_before = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)


class RegionDashboardFilter(django_filters.FilterSet):
    """The region dashboard's filters. Its form gives the summary's period,
    specialty and donor; its queryset is the twinning table under the
    cards, filtered as the summary's `twinned_departments` counts them."""

    date_after = PeriodBoundFilter(bound="start", overlap=("start_date", "end_date"))
    date_before = PeriodBoundFilter(bound="end", overlap=("start_date", "end_date"))
    specialty = specialty_filter()
    donor = donor_filter("program__donor_region")

    class Meta:
        model = Twinning
        fields = []
        form = DashboardForm


class ProgramDashboardForm(DashboardForm):
    """The program page's filters: the period and a specialty, named as the
    record lists name them."""

    date_after = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_before = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    specialty = forms.ModelChoiceField(
        Specialty.objects.all(), label=_("Specialty"), required=False, empty_label=_("all specialties"),
        to_field_name="code",
    )


class DonorDashboardForm(DashboardForm):
    """The donor dashboard's filters: the period, a specialty and the
    recipient region (`region`, a province-level region that receives a
    program: the record lists read `region` as the recipient's region, so a
    card's link carries it over unchanged)."""

    date_after = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_before = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    specialty = forms.ModelChoiceField(
        Specialty.objects.all(), label=_("Specialty"), required=False, empty_label=_("all specialties"),
        to_field_name="code",
    )
    region = forms.ModelChoiceField(
        recipient_regions(), label=_("Recipient region"), required=False, empty_label=_("all recipient regions"),
        to_field_name="code",
    )

    def values(self):
        """(period, specialty, recipient region) from valid data; everything open otherwise."""
        if not self.is_bound or not self.is_valid():
            return Period(), None, None
        data = self.cleaned_data
        return Period(data.get("date_after"), data.get("date_before")), data.get("specialty"), data.get("region")
