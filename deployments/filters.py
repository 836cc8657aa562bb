"""One FilterSet per listed model: programs, teams and rotations."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deployments.models import Program, Rotation, Team, Title
from aidtracker.lib.filters import (
    ANY,
    DATE_WIDGET,
    FetchedChoiceIterator,
    FetchedModelChoiceField,
    ModelChoiceFilter,
    PeriodBoundFilter,
    RecordFilterForm,
)
from hospitals.filters import (
    donor_filter,
    hospital_filter,
    recipient_region_filter,
    specialty_filter,
)


def program_filter(field_name, **kwargs):
    kwargs.setdefault("label", _("Program"))
    return ModelChoiceFilter(
        field_name=field_name,
        queryset=Program.objects.order_by("code"),
        empty_label=_("all programs"),
        **kwargs,
    )


#: The most teams the team select lists before a program is chosen.
TEAMS_LISTED = 100


class TeamChoiceIterator(FetchedChoiceIterator):
    """The teams of the field's queryset, or none (only the empty choice, saying
    to choose a program first) when there are more than `field.at_most`: read
    in the one fetch of a select, at most one row more than are listed."""

    def __iter__(self):
        limit = getattr(self.field, "at_most", None)
        if limit is None:
            yield from super().__iter__()
            return
        # The widget reads the first choice before it renders them all (for
        # its `required` attribute): the fetch is kept for the second reading.
        fetched = getattr(self.field, "_fetched", None)
        if fetched is None or fetched[0] is not self.queryset:
            whole = self.queryset
            self.queryset = whole[: limit + 1]
            try:
                fetched = self.field._fetched = (whole, list(super().__iter__()))
            finally:
                self.queryset = whole
        choices = fetched[1]
        if len(choices) > limit + 1:  # the empty choice and more than `limit` teams
            yield ("", _("choose a program"))  # short: the select is narrow
        else:
            yield from choices


class TeamChoiceField(FetchedModelChoiceField):
    iterator = TeamChoiceIterator


class TeamChoiceFilter(ModelChoiceFilter):
    field_class = TeamChoiceField


def team_filter(field_name="team", **kwargs):
    """The team filter of a FilterSet whose form is a TeamFilterForm."""
    return TeamChoiceFilter(
        field_name=field_name,
        queryset=Team.objects.order_by("program_id", "batch"),
        label=_("Team"),
        empty_label=_("all teams"),
        **kwargs,
    )


class TeamFilterForm(RecordFilterForm):
    """The form of a FilterSet with a `program` and a `team` filter: the team
    select lists the teams of the chosen program, or of the chosen team's
    program (a team page's links name the team alone); with neither, every
    team the user may read when they are few (a coordinator's), else none
    until a program is chosen. Every team of every program would be
    thousands of options, more with every batch sent: a page whose weight and
    rendering time grow with the data, and a list nobody picks from."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        program = self.data.get(self.add_prefix("program"))
        team = self.data.get(self.add_prefix("team"))
        if program:
            field.queryset = field.queryset.filter(program=program)
        elif team:
            field.queryset = field.queryset.filter(program__teams=team)
        else:
            field.at_most = TEAMS_LISTED


class ProgramFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    region = recipient_region_filter("in_region")
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


class TeamFilter(django_filters.FilterSet):
    """Teams (batches); `region` is the recipient region of the team's
    program, the period test is overlap of the team's own dates, as in the
    summary's `teams` (figures/definitions.py)."""

    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    region = recipient_region_filter("in_region")
    donor = donor_filter("program__donor_region")
    program = program_filter("program")
    date_after = PeriodBoundFilter(bound="start", overlap=("start_date", "end_date"))
    date_before = PeriodBoundFilter(bound="end", overlap=("start_date", "end_date"))

    class Meta:
        model = Team
        fields = []
        form = RecordFilterForm

    def search(self, qs, name, value):
        return qs.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(name_zh__icontains=value))

    def in_region(self, qs, name, value):
        return qs.filter(program__in=Program.objects.for_recipient_region(value))


class RotationFilter(django_filters.FilterSet):
    """Rotations; `region` is the recipient region of the team's program, the
    period test is overlap, as in the summary's `experts`."""

    region = recipient_region_filter("in_region")
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
        form = TeamFilterForm

    def in_region(self, qs, name, value):
        return qs.for_recipient_region(value)

    def on_site_on(self, qs, name, value):
        return qs.on_site_on(value)
