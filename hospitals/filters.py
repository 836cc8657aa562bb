"""FilterSet for hospitals, and the filters of reference data every list
uses: region, hospital, specialty and donor (on the kit of
aidtracker/lib/filters.py)."""

import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from aidtracker.lib.filters import ANY, FetchedModelChoiceField, ModelChoiceFilter, RecordFilterForm
from hospitals.models import Hospital, Region, Specialty, in_regions_q

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
