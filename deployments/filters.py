"""One FilterSet per listed model: programs and rotations."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deployments.models import Program, Rotation, Team, Title
from hospitals.filters import (
    ANY,
    DATE_WIDGET,
    ModelChoiceFilter,
    PeriodBoundFilter,
    RecordFilterForm,
    donor_filter,
    hospital_filter,
    region_filter,
    specialty_filter,
)


def program_filter(field_name, **kwargs):
    return ModelChoiceFilter(
        field_name=field_name,
        queryset=Program.objects.order_by("code"),
        label=_("Program"),
        empty_label=_("all programs"),
        **kwargs,
    )


def team_filter(field_name="team", **kwargs):
    return ModelChoiceFilter(
        field_name=field_name,
        queryset=Team.objects.order_by("program_id", "batch"),
        label=_("Team"),
        empty_label=_("all teams"),
        **kwargs,
    )


class ProgramFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    region = region_filter("in_region", label=_("Recipient region"))
    donor = donor_filter("donor_region")
    kind = django_filters.ChoiceFilter(choices=Program.Kind.choices, empty_label=ANY, label=_("Kind"))
    date_after = PeriodBoundFilter(bound="start", overlap=("start_date", "end_date"))
    date_before = PeriodBoundFilter(bound="end", overlap=("start_date", "end_date"))

    class Meta:
        model = Program
        fields = []
        form = RecordFilterForm

    def search(self, qs, name, value):
        return qs.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(name_zh__icontains=value))

    def in_region(self, qs, name, value):
        return qs.for_recipient_region(value)


class RotationFilter(django_filters.FilterSet):
    """Rotations; `region` is the recipient region of the team's program, the
    period test is overlap, as in the summary's `experts`."""

    region = region_filter("in_region", label=_("Recipient region"))
    hospital = hospital_filter("team__program__recipient_hospital", label=_("Recipient hospital"))
    date_after = PeriodBoundFilter(bound="start", overlap=("start_date", "end_date"))
    date_before = PeriodBoundFilter(bound="end", overlap=("start_date", "end_date"))
    specialty = specialty_filter()
    donor = donor_filter("team__program__donor_region")
    program = program_filter("team__program")
    team = team_filter()
    title = django_filters.ChoiceFilter(choices=Title.choices, empty_label=ANY, label=_("Title"))
    role = django_filters.ChoiceFilter(choices=Rotation.Role.choices, empty_label=ANY, label=_("Role"))
    home_hospital = hospital_filter("person__home_hospital", label=_("Home hospital"))
    person = django_filters.CharFilter(field_name="person", label=_("Person ID"))
    on_site = django_filters.DateFilter(method="on_site_on", label=_("On site on"), widget=DATE_WIDGET)

    class Meta:
        model = Rotation
        fields = []
        form = RecordFilterForm

    def in_region(self, qs, name, value):
        return qs.for_recipient_region(value)

    def on_site_on(self, qs, name, value):
        return qs.filter(start_date__lte=value, end_date__gte=value)
