"""The filter kit every list and dashboard shares: the filter form, the
period bounds (`date_after`, `date_before`), yes/no filters and model
choices read in one fetch. Parameter names are the same on every list and
on the dashboards, so a dashboard's query string carries over to its lists.
The apps build their FilterSets from these (hospitals/filters.py has the
region, hospital, specialty and donor filters)."""

import django_filters
from django import forms
from django.forms.renderers import Jinja2
from django.utils.translation import gettext_lazy as _

from aidtracker.lib.periods import Period, overlaps_q, within_q
from aidtracker.lib.widgets import DateInput

DATE_WIDGET = DateInput()
#: One renderer, and so one Jinja2 environment, for every filter form.
FILTER_FORM_RENDERER = Jinja2()
ANY = _("any")


class RecordFilterForm(forms.Form):
    """Checks what a single field cannot: the period's bounds are in order.

    Its widgets render through Django's Jinja2 form renderer and the Jinja2
    versions of Django's widget templates: a list's filter form has ten
    selects and some 160 options, and through the Django template language
    they took a list page over its CPU budget (docs/performance-history.md,
    "Figures behind comments"). Only the filter forms: the admin's widgets
    have no Jinja2 templates, and the other forms are short."""

    default_renderer = FILTER_FORM_RENDERER

    def clean(self):
        data = super().clean()
        start, end = data.get("date_after"), data.get("date_before")
        if start and end and start > end:
            self.add_error(
                "date_before",
                _("The end of the period (%(end)s) is before its start (%(start)s).")
                % {"start": start.isoformat(), "end": end.isoformat()},
            )
        return data


class PeriodBoundFilter(django_filters.DateFilter):
    """One bound of the period, inclusive.

    `within=field`: rows whose date lies within the period (surgeries...).
    `overlap=(start, end)`: rows whose date range overlaps it, an empty end
    being ongoing (rotations, trainings, programs). The two bounds are
    separate filters because each half of the spec's tests stands alone.
    """

    def __init__(self, *args, bound, within=None, overlap=None, **kwargs):
        self.bound, self.within_field, self.overlap_fields = bound, within, overlap
        kwargs.setdefault("widget", DATE_WIDGET)
        kwargs.setdefault("label", _("From") if bound == "start" else _("To"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        period = Period(start=value) if self.bound == "start" else Period(end=value)
        if self.within_field:
            return qs.filter(within_q(period, self.within_field))
        start, end = self.overlap_fields
        return qs.filter(overlaps_q(period, start, end))


class YesNoWidget(django_filters.widgets.BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", ANY), ("true", _("yes")), ("false", _("no")))


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


class _FetchedChoices(forms.models.ModelChoiceIterator):
    """Django's choice iterator reads the choices through QuerySet.iterator():
    on PostgreSQL a server-side cursor, three round trips (DECLARE, FETCH,
    CLOSE) for a list of a few hundred rows, for each select of each filter
    form. A plain fetch reads the same rows in one."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class FetchedChoiceIterator(django_filters.fields.ModelChoiceIterator, _FetchedChoices):
    """django-filter's iterator (its null choice) over one plain fetch."""


class FetchedModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = FetchedChoiceIterator


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """django_filters.ModelChoiceFilter whose choices are read in one fetch."""

    field_class = FetchedModelChoiceField
