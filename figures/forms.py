"""The arguments of a summary, checked once for the JSON API and the command.

`SummaryForm(data, code=..., other=...)` validates a request's `from`,
`to`, `specialty` and `donor` (of a region summary) or `recipient` (of a
donor summary) and the region's code; `summary_arguments()` gives the
summary's arguments or raises SummaryArgumentError with the first problem
and the HTTP status that fits (404 for a region that is not there, 400 for the
rest, a region that is not province-level included). Dates are checked first (no query), then
the region, the specialty and the donor or recipient (one query each when
given).
"""

import datetime as dt
import json
import re

from django import forms
from django.core.management.base import BaseCommand, CommandError
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


#: The other province-level region a summary may be narrowed to, with an
#: example code: the donor of a region summary's programs, the recipient
#: region of a donor summary's.
OTHER_REGIONS = {"donor": "110000", "recipient": "540000"}


class SummaryForm(forms.Form):
    """The region's code (given apart: it is part of the address) and the
    query's `from`, `to`, `specialty` and `other` ("donor" for a region
    summary, "recipient" for a donor summary)."""

    specialty = forms.CharField(required=False, strip=True)
    # The API's opt-in comparison with the period before (api/views.py).
    compare = forms.CharField(required=False, strip=True)
    # The API's opt-in patient movements and outcomes of a region (api/views.py).
    include = forms.CharField(required=False, strip=True)

    def __init__(self, data=None, *, code=None, other="donor"):
        super().__init__(data or {})
        self.code, self.other = code, other
        # `from` is a Python keyword: these fields are named in a dict.
        self.fields = {
            "from": BoundField("from"), "to": BoundField("to"), **self.fields,
            other: forms.CharField(required=False, strip=True),
        }

    def clean_compare(self) -> bool:
        """Whether `compare=previous` asks for the earlier period too."""
        value = self.cleaned_data["compare"]
        if value not in ("", "previous"):
            raise forms.ValidationError(
                _("'compare': %(value)s is not a comparison; the one there is: compare=previous.")
                % {"value": repr(value)}
            )
        return value == "previous"

    def clean_include(self) -> bool:
        """Whether `include=movements` asks for a region's patient movements
        and outcomes too (figures/movements.py); a region summary's alone."""
        value = self.cleaned_data["include"]
        if value not in ("", "movements"):
            raise forms.ValidationError(
                _("'include': %(value)s is not something to include; the one there is: include=movements.")
                % {"value": repr(value)}
            )
        if value and self.other != "donor":
            raise forms.ValidationError(_("'include=movements' is given with a region summary only."))
        return bool(value)

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
        """(region, period, {"specialty": code or None, <other>: code or
        None}), or SummaryArgumentError naming the first thing that was
        wrong."""
        if not self.is_valid():
            raise SummaryArgumentError(self._first_error())
        data = self.cleaned_data
        period = Period(data["from"], data["to"])
        code = (self.code or "").strip()
        # A region's code is six digits: anything else names none (and is
        # not sent to the database, which refuses a NUL character outright).
        region = Region.objects.filter(code=code).first() if re.fullmatch(r"[0-9]{6}", code) else None
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
        other = data[self.other] or None
        if other and not Region.objects.provinces().filter(code=other).exists():
            raise SummaryArgumentError(
                _("'%(name)s': %(value)s is not the code of a province-level region (e.g. %(example)s).")
                % {"name": self.other, "value": repr(other), "example": OTHER_REGIONS[self.other]}
            )
        return region, period, {"specialty": specialty, self.other: other}

    def _first_error(self) -> str:
        for name in ("from", "to", "__all__", "compare", "include"):
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


class SummaryCommand(BaseCommand):
    """A management command that prints a summary as JSON (the API's):
    `summary` the function, `other` the other region it may be narrowed to."""

    summary = None
    other = "donor"
    example_code = "540000"

    def add_arguments(self, parser):
        parser.add_argument("code", help=f"six-digit code of a province-level region, e.g. {self.example_code}")
        parser.add_argument("--from", dest="from", metavar="YYYY-MM-DD", help="first day (inclusive)")
        parser.add_argument("--to", dest="to", metavar="YYYY-MM-DD", help="last day (inclusive)")
        parser.add_argument("--specialty", help="only this specialty (a dashboard filter, not in the spec)")
        parser.add_argument(f"--{self.other}", dest=self.other, help=f"only the programs of this {self.other} region")

    def handle(self, *args, code, **options):
        data = {name: options.get(name) or "" for name in ("from", "to", "specialty", self.other)}
        try:
            region, period, filters = SummaryForm(data, code=code, other=self.other).summary_arguments()
        except SummaryArgumentError as error:
            # Exit status 2, like a usage error; the message says what was wrong.
            raise CommandError(str(error), returncode=2) from None
        result = type(self).summary(region, period, **filters)
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
