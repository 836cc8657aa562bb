"""One FilterSet per listed model. The region and period filters call the
models' QuerySet methods, so a list's count equals the summary's figure for
the same region, period and flags (interchange spec, section 5)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deployments.filters import TeamFilterForm, program_filter, team_filter
from aidtracker.lib.filters import ANY, PeriodBoundFilter, RecordFilterForm, YesNoFilter
from hospitals.filters import (
    donor_filter,
    host_region_filter,
    hospital_filter,
    hospitals_in,
    region_filter,
    specialty_filter,
)
from outcomes.models import (
    MINIMALLY_INVASIVE,
    Consultation,
    Referral,
    Surgery,
    Technique,
    Trainee,
    Training,
)


class SurgeryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Reference or procedure"))
    region = region_filter("in_region")
    hospital = hospital_filter()
    date_after = PeriodBoundFilter(bound="start", within="date")
    date_before = PeriodBoundFilter(bound="end", within="date")
    specialty = specialty_filter()
    donor = donor_filter("team__program__donor_region")
    twinned_by = donor_filter(method="by_twinned_departments", label=_("Departments twinned by"))
    program = program_filter("team__program")
    # The program page's twinned departments (its twinnings alone, whoever led).
    # A program's code (the program page links here), checked as `program`
    # is: an unknown code is an error the form names, not an empty list. A
    # text box, not a second select of every program.
    twinned_in = program_filter(
        None, method="by_program_twinnings", label=_("Departments twinned in program"), widget=forms.TextInput
    )
    team = team_filter()
    lead = django_filters.ChoiceFilter(choices=Surgery.Lead.choices, empty_label=ANY, label=_("Led by"))
    grade = django_filters.ChoiceFilter(choices=Surgery.Grade.choices, empty_label=ANY, label=_("Grade"))
    approach = django_filters.ChoiceFilter(
        choices=Surgery.Approach.choices, empty_label=ANY, label=_("Approach")
    )
    minimally_invasive = YesNoFilter(method="by_minimally_invasive", label=_("Minimally invasive"))
    demonstration = YesNoFilter(label=_("Demonstration"))
    first_in_region = YesNoFilter(label=_("First in region"))
    outcome = django_filters.ChoiceFilter(
        choices=Surgery.Outcome.choices, empty_label=ANY, label=_("Outcome")
    )

    class Meta:
        model = Surgery
        fields = []
        form = TeamFilterForm

    def search(self, qs, name, value):
        return qs.filter(Q(ref__icontains=value) | Q(procedure__icontains=value))

    def in_region(self, qs, name, value):
        return qs.in_region(value)

    def by_twinned_departments(self, qs, name, value):
        """Surgeries of the departments the donor twins, whoever led them."""
        return qs.of_departments_twinned_by(value)

    def by_program_twinnings(self, qs, name, value):
        """Surgeries of the departments the program twins, whoever led them."""
        return qs.of_departments_twinned_in(value)

    def by_minimally_invasive(self, qs, name, value):
        q = Q(approach__in=MINIMALLY_INVASIVE)
        return qs.filter(q if value else ~q)


class TrainingFilter(django_filters.FilterSet):
    """Trainings; `region` and `hospital` are the trainee's own hospital, the
    period test is overlap; `started_*` select by `start_date`,
    `independent_*` by `independent_on`."""

    q = django_filters.CharFilter(method="search", label=_("Reference, trainee or skill"))
    region = region_filter("in_region")
    hospital = hospital_filter("trainee__hospital", label=_("Trainee's hospital"))
    date_after = PeriodBoundFilter(bound="start", overlap=("start_date", "end_date"))
    date_before = PeriodBoundFilter(bound="end", overlap=("start_date", "end_date"))
    # By start alone: the trainings begun in a month (the completeness page's count).
    started_after = PeriodBoundFilter(bound="start", within="start_date", label=_("Started from"))
    started_before = PeriodBoundFilter(bound="end", within="start_date", label=_("Started until"))
    independent_after = PeriodBoundFilter(
        bound="start", within="independent_on", label=_("Independent from")
    )
    independent_before = PeriodBoundFilter(
        bound="end", within="independent_on", label=_("Independent until")
    )
    independent = YesNoFilter(
        field_name="independent_on", lookup_expr="isnull", exclude=True, label=_("Independent")
    )
    specialty = specialty_filter()
    donor = donor_filter("program__donor_region")
    program = program_filter("program")
    kind = django_filters.ChoiceFilter(choices=Training.Kind.choices, empty_label=ANY, label=_("Kind"))
    status = django_filters.ChoiceFilter(
        choices=Training.Status.choices, empty_label=ANY, label=_("Status")
    )
    role = django_filters.ChoiceFilter(
        field_name="trainee__role", choices=Trainee.Role.choices, empty_label=ANY, label=_("Role")
    )
    host_hospital = hospital_filter("host_hospital", label=_("Host hospital"))
    host_region = host_region_filter("hosted_in")
    trainee = django_filters.CharFilter(field_name="trainee", label=_("Trainee ID"))

    class Meta:
        model = Training
        fields = []
        form = RecordFilterForm

    def search(self, qs, name, value):
        return qs.filter(
            Q(ref__icontains=value) | Q(trainee__name__icontains=value) | Q(skill__icontains=value)
        )

    def in_region(self, qs, name, value):
        return qs.in_region(value)

    def hosted_in(self, qs, name, value):
        return qs.hosted_in(value)


class TechniqueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Reference or name"))
    region = region_filter("in_region")
    hospital = hospital_filter()
    date_after = PeriodBoundFilter(bound="start", within="introduced_on")
    date_before = PeriodBoundFilter(bound="end", within="introduced_on")
    specialty = specialty_filter()
    donor = donor_filter("program__donor_region")
    program = program_filter("program")
    first_in_region = YesNoFilter(label=_("First in region"))

    class Meta:
        model = Technique
        fields = []
        form = RecordFilterForm

    def search(self, qs, name, value):
        return qs.filter(Q(ref__icontains=value) | Q(name__icontains=value))

    def in_region(self, qs, name, value):
        return qs.in_region(value)


#: The referral list's outcome filter for referrals without an outcome (the
#: interchange format's `outcome` is optional).
NO_OUTCOME = "none"


class ReferralFilter(django_filters.FilterSet):
    """Referrals; `region` follows the summary: transfers in and international
    patients by destination hospital, referrals out by origin hospital."""

    q = django_filters.CharFilter(field_name="ref", lookup_expr="icontains", label=_("Reference"))
    region = region_filter("in_region")
    hospital = hospital_filter(method="at_hospital", label=_("Hospital (either end)"))
    # A hospital's code: its referrals by the region rule (transfers in and
    # international patients to it, referrals out from it), as a program
    # page counts them for its recipient hospital.
    for_hospital = django_filters.CharFilter(method="for_a_hospital", label=_("Counted for hospital (code)"))
    date_after = PeriodBoundFilter(bound="start", within="date")
    date_before = PeriodBoundFilter(bound="end", within="date")
    kind = django_filters.ChoiceFilter(choices=Referral.Kind.choices, empty_label=ANY, label=_("Kind"))
    age_group = django_filters.ChoiceFilter(
        choices=Referral.AgeGroup.choices, empty_label=ANY, label=_("Age group")
    )
    outcome = django_filters.ChoiceFilter(
        choices=[*Referral.Outcome.choices, (NO_OUTCOME, _("not given"))], empty_label=ANY,
        label=_("Outcome"), method="by_outcome",
    )

    class Meta:
        model = Referral
        fields = []
        form = RecordFilterForm

    def in_region(self, qs, name, value):
        return qs.in_region(value)

    def by_outcome(self, qs, name, value):
        """The outcome chosen; `none`: those whose outcome was not given."""
        return qs.filter(outcome="" if value == NO_OUTCOME else value)

    def for_a_hospital(self, qs, name, value):
        return qs.of_hospitals([value])

    def at_hospital(self, qs, name, value):
        return qs.filter(Q(origin_hospital=value) | Q(destination_hospital=value))


class ConsultationFilter(django_filters.FilterSet):
    """Consultations; `region` is the requesting hospital's, as in the summary."""

    q = django_filters.CharFilter(field_name="ref", lookup_expr="icontains", label=_("Reference"))
    region = region_filter("in_region")
    hospital = hospital_filter("requesting_hospital", label=_("Requesting hospital"))
    consulting_hospital = hospital_filter("consulting_hospital", label=_("Consulting hospital"))
    date_after = PeriodBoundFilter(bound="start", within="date")
    date_before = PeriodBoundFilter(bound="end", within="date")
    specialty = specialty_filter()
    donor = donor_filter("consulting_hospital__region", method="by_donor")
    mode = django_filters.ChoiceFilter(choices=Consultation.Mode.choices, empty_label=ANY, label=_("Mode"))
    program = program_filter("requesting_hospital", method="by_program")

    class Meta:
        model = Consultation
        fields = []
        form = RecordFilterForm

    def in_region(self, qs, name, value):
        return qs.filter(requesting_hospital__in=hospitals_in(value))

    def by_program(self, qs, name, value):
        return qs.of_program(value)

    def by_donor(self, qs, name, value):
        return qs.filter(consulting_hospital__in=hospitals_in(value))
