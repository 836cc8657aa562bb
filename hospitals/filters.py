"""FilterSet for hospitals, and the filters of reference data every list
uses: region, hospital, specialty and donor (on the kit of
aidtracker/lib/filters.py)."""

import django_filters
from django.db.models import Case, CharField, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from aidtracker.lib.filters import ANY, FetchedModelChoiceField, ModelChoiceFilter, RecordFilterForm
from hospitals.models import Hospital, Region, Specialty, in_regions_q

#: What a region's label is indented by per level below the province: an em
#: space, which a <select> keeps (it strips and collapses ASCII spaces only).
REGION_INDENT = "\u2003"


def in_tree_order(regions):
    """`regions` ordered as a tree: each province, then each of its
    prefectures followed by that prefecture's counties, by code at each
    level. The order does not lean on the codes' digits (a county's code
    need not sort after its prefecture's): it sorts by the province's code,
    then the prefecture's, then the level."""
    P, C = Region.Level.PROVINCE, Region.Level.COUNTY
    return regions.annotate(
        tree_province=Coalesce(F("parent__parent"), F("parent"), F("code"), output_field=CharField()),
        tree_prefecture=Case(
            When(level=P, then=Value("")), When(level=C, then=F("parent")), default=F("code"),
            output_field=CharField(),
        ),
        tree_depth=Case(
            When(level=P, then=Value(0)), When(level=C, then=Value(2)), default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by("tree_province", "tree_prefecture", "tree_depth", "code")


def recipient_regions():
    """The regions that hold the recipient hospital of some program, with
    their prefecture and province for context (a reader picks Tibet as well
    as Lhasa), in tree order."""
    held = Region.objects.filter(hospitals__programs__isnull=False).values("code")
    return in_tree_order(Region.objects.filter(
        Q(code__in=held)
        | Q(code__in=Region.objects.filter(code__in=held).values("parent"))
        | Q(code__in=Region.objects.filter(code__in=held).values("parent__parent"))
    ))


class RegionChoiceField(FetchedModelChoiceField):
    """Regions as a tree: each below its parent, indented by its level
    ("540000 Tibet", " 540100 Lhasa", "  540102 Chengguan")."""

    def label_from_instance(self, region):
        return REGION_INDENT * Region.DEPTH.get(region.level, 0) + str(region)


class RegionChoiceFilter(ModelChoiceFilter):
    field_class = RegionChoiceField


def region_filter(method, label=_("Region"), queryset=None, **kwargs):
    """A region (any level) by code, the regions (every one, or `queryset`)
    listed as a tree; `method` applies "in R or below"."""
    return RegionChoiceFilter(
        queryset=in_tree_order(Region.objects.all()) if queryset is None else queryset,
        method=method,
        label=label,
        empty_label=_("all regions"),
        **kwargs,
    )


class HostRegionChoiceField(RegionChoiceField):
    """Regions where a trainee may be hosted: a reader's own regions and
    those of the donors of the programs they read."""

    def restrict_to_regions(self, codes):
        donors = Region.objects.filter(donors_read_by_q(codes)).values("code")
        self.queryset = self.queryset.filter(
            in_regions_q(codes, "")
            | Q(code__in=donors) | Q(parent__in=donors) | Q(parent__parent__in=donors)
        )


class HostRegionChoiceFilter(ModelChoiceFilter):
    field_class = HostRegionChoiceField


def host_region_filter(method, label=_("Host hospital's region"), **kwargs):
    """A region (any level) by code, for the host hospital of further study;
    `method` applies "in R or below"."""
    return HostRegionChoiceFilter(
        queryset=in_tree_order(Region.objects.all()), method=method, label=label,
        empty_label=_("all regions"), **kwargs,
    )


def recipient_region_filter(method, label=_("Recipient region"), **kwargs):
    """A region by code among those that receive a program's teams (and
    their ancestors), as a tree; `method` applies "in R or below"."""
    return region_filter(method, label=label, queryset=recipient_regions(), **kwargs)


def specialty_filter(field_name="specialty", **kwargs):
    return ModelChoiceFilter(
        field_name=field_name,
        queryset=Specialty.objects.all(),
        label=_("Specialty"),
        empty_label=_("all specialties"),
        **kwargs,
    )


def donors_read_by_q(codes, path="") -> Q:
    """Q for the donor regions (at `path`, "" for a region itself) of the
    programs a reader of the regions `codes` may read: those whose recipient
    hospital lies in them, and the readers' own regions when they donate."""
    prefix = f"{path}__" if path else ""
    return in_regions_q(codes, f"{prefix}donated_programs__recipient_hospital__region") | Q(
        **{f"{prefix}code__in" if path else "code__in": codes}
    )


class DonorChoiceField(FetchedModelChoiceField):
    """The donor regions of the programs."""

    def restrict_to_regions(self, codes):
        """Keep the donors of the programs a reader of the regions `codes`
        may read: those whose recipient hospital lies in them, and their own
        region when it is a donor."""
        self.queryset = self.queryset.filter(donors_read_by_q(codes))


class DonorChoiceFilter(ModelChoiceFilter):
    field_class = DonorChoiceField


def donor_filter(field_name=None, label=_("Donor"), **kwargs):
    """A donor province-level region by code (the donor of the programs)."""
    return DonorChoiceFilter(
        field_name=field_name,
        queryset=Region.objects.provinces().filter(donated_programs__isnull=False)
        .distinct()
        .order_by("code"),
        label=label,
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
