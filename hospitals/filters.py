"""FilterSet for hospitals, and the filter pieces every list shares:
the region filter, the period bounds (`date_after`, `date_before`) and
yes/no filters. Parameter names are the same on every list and on the
dashboards, so a dashboard's query string carries over to its lists."""

import django_filters
from django import forms
from django.db.models import Count, Q
from django.forms.renderers import Jinja2
from django.utils.translation import gettext_lazy as _

from aidtracker.lib.widgets import DateInput
from hospitals.models import Hospital, Region, Specialty, in_regions_q
from aidtracker.lib.periods import Period, overlaps_q, within_q

DATE_WIDGET = DateInput()
#: One renderer, and so one Jinja2 environment, for every filter form.
FILTER_FORM_RENDERER = Jinja2()
ANY = _("any")


class RecordFilterForm(forms.Form):
    """Checks what a single field cannot: the period's bounds are in order.

    Its widgets render through Django's Jinja2 form renderer and the Jinja2
    versions of Django's widget templates: a list's filter form has ten
    selects and some 160 options, and through the Django template language
    they cost 11-13 ms of CPU per page (40-45 ms for the trainings list, over
    its 40 ms budget); through Jinja2, 27 ms. Only the filter forms: the admin's
    widgets have no Jinja2 templates, and the other forms are short."""

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


def region_filter(method, label=_("Region"), **kwargs):
    """A region (any level) by code; `method` applies "in R or below"."""
    return ModelChoiceFilter(
        queryset=Region.objects.order_by("code"),
        method=method,
        label=label,
        empty_label=_("all regions"),
        **kwargs,
    )


def specialty_filter(field_name="specialty", **kwargs):
    return ModelChoiceFilter(
        field_name=field_name,
        queryset=Specialty.objects.all(),
        label=_("Specialty"),
        empty_label=_("all specialties"),
        **kwargs,
    )


class DonorChoiceField(FetchedModelChoiceField):
    """The donor regions of the programs."""

    def restrict_to_regions(self, codes):
        """Keep the donors of the programs a reader of the regions `codes`
        may read: those whose recipient hospital lies in them."""
        self.queryset = self.queryset.filter(in_regions_q(codes, "donated_programs__recipient_hospital__region"))


class DonorChoiceFilter(ModelChoiceFilter):
    field_class = DonorChoiceField


def donor_filter(field_name, **kwargs):
    """A donor province-level region by code (the donor of the programs)."""
    return DonorChoiceFilter(
        field_name=field_name,
        queryset=Region.objects.provinces().filter(donated_programs__isnull=False)
        .distinct()
        .order_by("code"),
        label=_("Donor"),
        empty_label=_("all donors"),
        **kwargs,
    )


def hospital_filter(field_name="hospital", label=_("Hospital"), **kwargs):
    return ModelChoiceFilter(
        field_name=field_name,
        queryset=Hospital.objects.order_by("name"),
        label=label,
        empty_label=_("all hospitals"),
        **kwargs,
    )


def hospitals_in(region):
    return Hospital.objects.in_region(region)


class HospitalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    region = region_filter("in_region")
    kind = django_filters.ChoiceFilter(choices=Hospital.Kind.choices, empty_label=ANY, label=_("Kind"))
    grade = django_filters.ChoiceFilter(
        choices=Hospital.Grade.choices, empty_label=ANY, label=_("Grade")
    )
    role = django_filters.ChoiceFilter(
        method="by_role",
        label=_("Role"),
        empty_label=ANY,
        choices=[("recipient", _("recipient of a program")), ("donor", _("donor of a twinning"))],
    )

    class Meta:
        model = Hospital
        fields = []
        form = RecordFilterForm

    def search(self, qs, name, value):
        return qs.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(name_zh__icontains=value))

    def in_region(self, qs, name, value):
        return qs.in_region(value)

    def by_role(self, qs, name, value):
        if value == "recipient":
            return qs.filter(programs__isnull=False).distinct()
        return qs.filter(donor_twinnings__isnull=False).distinct()


def with_program_counts(qs):
    return qs.annotate(program_count=Count("programs", distinct=True))
