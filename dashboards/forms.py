"""The dashboards' filter form: period, specialty and donor, all in the URL.

The parameter names are those of the record lists (`date_after`,
`date_before`, `specialty`, `donor`), so a card's link carries them over
unchanged and the list shows the very rows behind the figure.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from hospitals.filters import DATE_WIDGET, RecordFilterForm
from hospitals.models import Region, Specialty
from hospitals.periods import Period


class DashboardFilterForm(RecordFilterForm):
    date_after = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_before = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    specialty = forms.ModelChoiceField(
        label=_("Specialty"), queryset=Specialty.objects.all(), required=False,
        empty_label=_("all specialties"),
    )
    donor = forms.ModelChoiceField(
        label=_("Donor"),
        queryset=Region.objects.provinces().filter(donated_programs__isnull=False).distinct().order_by("code"),
        required=False,
        empty_label=_("all donors"),
    )

    def __init__(self, *args, with_specialty=True, with_donor=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_specialty:
            del self.fields["specialty"]
        if not with_donor:
            del self.fields["donor"]

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
