"""The arguments of a summary, checked once for the JSON API and the command.

`SummaryForm(data, code=...)` validates a request's `from`, `to`,
`specialty` and `donor` (of a region summary) or `recipient` (of a donor
summary) and the region's code; `summary_arguments()` gives the summary's
arguments or raises SummaryArgumentError with the first problem and the
HTTP status that fits (404 for a region that is not there, 400 for the
rest, a region that is not province-level included). Dates are checked first (no query), then
the region, the specialty and the donor or recipient (one query each when
given).
"""

import datetime as dt

from django import forms
from django.utils.translation import gettext as _

from aidtracker.lib.periods import Period
from hospitals.models import Region, Specialty


class SummaryArgumentError(ValueError):
    """A bad argument of a summary request; `status` is the HTTP status that
    fits (404 for a region that is not there, 400 for the rest)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def province_level(region) -> Region:
    """The Region (given or by its code) when it is province-level; ValueError otherwise."""
    if not isinstance(region, Region):
        region = Region.objects.get(code=region)
    if region.level != Region.Level.PROVINCE:
        raise ValueError(
            _("%(code)s is a %(level)s, not a province-level region.")
            % {"code": region.code, "level": region.get_level_display()}
        )
    return region


class BoundField(forms.CharField):
    """One bound of the period: YYYY-MM-DD, empty for an open bound."""

    def __init__(self, name, **kwargs):
        self.bound_name = name
        super().__init__(required=False, strip=True, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            # fromisoformat also takes 20240131 and week dates: insist on 10 characters.
            if len(text) != 10:
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(
                _("'%(name)s': %(value)s is not a date; use YYYY-MM-DD, e.g. 2024-01-31.")
                % {"name": self.bound_name, "value": repr(text)}
            ) from None


class SummaryForm(forms.Form):
    """The region's code (given apart: it is part of the address) and the
    query's `from`, `to`, `specialty` and `donor`."""

    specialty = forms.CharField(required=False, strip=True)
    donor = forms.CharField(required=False, strip=True)
    recipient = forms.CharField(required=False, strip=True)

    def __init__(self, data=None, *, code=None):
        super().__init__(data or {})
        self.code = code
        # `from` is a Python keyword: these fields are named in a dict.
        self.fields = {"from": BoundField("from"), "to": BoundField("to"), **self.fields}

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError(
                _("'from' (%(start)s) is after 'to' (%(end)s); the period would be empty.")
                % {"start": start, "end": end}
            )
        return data

    def summary_arguments(self):
        """(region, period, specialty code or None, donor code or None,
        recipient code or None), or SummaryArgumentError naming the first
        thing that was wrong."""
        if not self.is_valid():
            raise SummaryArgumentError(self._first_error())
        data = self.cleaned_data
        period = Period(data["from"], data["to"])
        code = (self.code or "").strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise SummaryArgumentError(
                _("No region has the code %(code)s.") % {"code": repr(self.code)}, status=404
            )
        if region.level != Region.Level.PROVINCE:
            raise SummaryArgumentError(
                _(
                    "%(code)s (%(name)s) is a %(level)s; summaries are of province-level "
                    "regions (e.g. 540000)."
                )
                % {"code": region.code, "name": region.name, "level": region.get_level_display()},
            )
        specialty = data["specialty"] or None
        if specialty and not Specialty.objects.filter(code=specialty).exists():
            raise SummaryArgumentError(
                _("'specialty': %(value)s is not a specialty code (e.g. general_surgery).")
                % {"value": repr(specialty)}
            )
        others = {}
        for name, example in (("donor", "110000"), ("recipient", "540000")):
            others[name] = data[name] or None
            if others[name] and not Region.objects.provinces().filter(code=others[name]).exists():
                raise SummaryArgumentError(
                    _("'%(name)s': %(value)s is not the code of a province-level region (e.g. %(example)s).")
                    % {"name": name, "value": repr(others[name]), "example": example}
                )
        return region, period, specialty, others["donor"], others["recipient"]

    def _first_error(self) -> str:
        for name in ("from", "to", "__all__"):
            if name in self.errors:
                return self.errors[name][0]
        return next(iter(self.errors.values()))[0]


def parse_period(from_text: str | None, to_text: str | None) -> Period:
    """Period from two optional YYYY-MM-DD texts (empty = open bound).
    Raises ValueError naming the bad value."""
    form = SummaryForm({"from": from_text or "", "to": to_text or ""})
    if not form.is_valid():
        raise ValueError(form._first_error())
    return Period(form.cleaned_data["from"], form.cleaned_data["to"])


def summary_arguments(code, from_text=None, to_text=None, specialty=None, donor=None, recipient=None):
    """SummaryForm's checks for the commands, which have their arguments apart."""
    data = {
        "from": from_text or "", "to": to_text or "", "specialty": specialty or "",
        "donor": donor or "", "recipient": recipient or "",
    }
    return SummaryForm(data, code=code).summary_arguments()
