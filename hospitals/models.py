"""Reference data: regions (GB/T 2260 tree), hospitals and specialties."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidtracker.lib.bulk_writes import bulk_write
from aidtracker.lib.i18n import is_chinese
from audit.models import HistoryBase

CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9-]{1,32}$",
    _("Use letters, digits and '-' only, at most 32 characters."),
)
# Messages shared by the models' constraints and validation and the importer
# (interchange/), so that a rule speaks with one voice wherever it is checked.
REGION_CODE_MESSAGE = _("A region code is six digits (GB/T 2260).")
REGION_PARENT_MESSAGE = _(
    "A province-level region has no parent; a prefecture or county must name one."
)
REGION_PARENT_LEVEL_MESSAGE = _(
    "The parent of a %(level)s must be a %(expected)s; %(parent)s is a %(parent_level)s."
)
HOSPITAL_CODE_MESSAGE = _(
    "A hospital code uses letters, digits and '-' only, at most 32 characters."
)

REGION_CODE_VALIDATOR = RegexValidator(
    r"^[0-9]{6}$", _("A region code is six digits (GB/T 2260), e.g. 540000.")
)


class BilingualNameMixin:
    """`display_name`: the name in the reader's language, else the other one."""

    @property
    def display_name(self) -> str:
        if (get_language() or "").lower().startswith("zh"):
            return self.name_zh or self.name
        return self.name or self.name_zh


class CodeNaturalKeyManagerMixin:
    def get_by_natural_key(self, code):
        return self.get(code=code)


def in_region_q(region, path="") -> models.Q:
    """Q for a region (reached from the queried model by `path`, e.g.
    "hospital__region") that is `region` (a Region or its code) or lies below
    it: what "in R" means everywhere. The region tree is three levels deep
    (province, prefecture, county)."""
    code = getattr(region, "code", region)
    prefix = f"{path}__" if path else ""
    return (
        models.Q(**{f"{prefix}code" if path else "code": code})
        | models.Q(**{f"{prefix}parent": code})
        | models.Q(**{f"{prefix}parent__parent": code})
    )


def province_of(hospital_path: str):
    """Expression: the code of the province-level region of the hospital
    reached by `hospital_path` (e.g. "team__program__recipient_hospital"):
    its region's grandparent, parent or itself, whichever is the top."""
    region = f"{hospital_path}__region"
    return Coalesce(
        models.F(f"{region}__parent__parent"), models.F(f"{region}__parent"), models.F(region),
        output_field=models.CharField(),
    )


class AnnouncedWrites(models.QuerySet):
    """A queryset whose update or upsert that sets where its rows lie
    (`place_fields`) announces itself as a bulk write of its model
    (aidtracker/lib/bulk_writes.py): a hospital put in another region, or a
    region under another parent, moves the rollups' province keys (the
    expert rollups' recipient region, hosted further study's host
    province), and the apps that keep those rollups rebuild them. Other
    writes run as Django's. Model saves are followed by their own signals;
    the forms and the importer save hospitals and regions one by one."""

    #: The fields whose write moves a row to another place.
    place_fields = frozenset()

    def update(self, **kwargs):
        if not self.place_fields & set(kwargs):
            return super().update(**kwargs)
        with bulk_write(self.model, self.db):
            return super().update(**kwargs)

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        if not (kwargs.get("update_conflicts") and self.place_fields & set(kwargs.get("update_fields") or ())):
            return super().bulk_create(objs, *args, **kwargs)
        with bulk_write(self.model, self.db):
            return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True


class RegionQuerySet(AnnouncedWrites):
    place_fields = frozenset({"parent", "parent_id"})

    def within(self, region):
        """Return `region` and every region below it."""
        return self.filter(in_region_q(region))

    def in_regions(self, codes):
        """The regions that lie in any of the regions `codes` (each with all
        below it), and those of the recipient hospitals of the programs they
        donate, with their prefecture and province: what a reader limited to
        those regions may read (and choose in a list's region filter)."""
        if not donor_codes(codes):
            return self.filter(in_regions_q(codes, ""))
        recipients = Region.objects.filter(donated_by_q(codes, "hospitals__programs"))
        return self.filter(
            in_regions_q(codes, "")
            | models.Q(code__in=recipients.values("code"))
            | models.Q(code__in=recipients.values("parent"))
            | models.Q(code__in=recipients.values("parent__parent"))
        )

    def provinces(self):
        return self.filter(level=Region.Level.PROVINCE)

    def display_names(self, codes) -> dict[str, str]:
        """code → the region's name in the active language, for rows that
        carry a region's code and English name only (the summary's
        `by_donor`). One query in the Chinese interface; none in English,
        where the rows' names serve."""
        codes = list(codes)
        if not codes or not is_chinese():
            return {}
        return {
            code: name_zh or name
            for code, name, name_zh in self.filter(code__in=codes).values_list("code", "name", "name_zh")
        }


def regions_within(codes):
    """Subquery of the codes of the regions `codes` and every region below them."""
    q = models.Q(pk__in=[])
    for code in codes:
        q |= in_region_q(code)
    return Region.objects.filter(q).values("code")


def in_regions_q(codes, *paths) -> models.Q:
    """Q for rows whose region at any of `paths` (e.g. "hospital__region"; ""
    for a region itself) lies in one of the regions `codes`: how each
    queryset's `in_regions` tells what a reader limited to those regions may
    read (accounts/scope.py)."""
    within = regions_within(codes)
    q = models.Q(pk__in=[])
    for path in paths:
        q |= models.Q(**{f"{path}__in" if path else "code__in": within})
    return q


class ReaderRegions(tuple):
    """A reader's region codes (accounts/scope.py), knowing which of them
    donate programs: `donors`, or None when that is not known (every code
    is then treated as a possible donor). The querysets' `in_regions(codes)`
    take it like any tuple of codes; knowing the donors spares a reader who
    donates nothing the donor clauses (an OR of subqueries that keeps
    PostgreSQL from a plain parallel scan of their rows)."""

    donors = None

    def __new__(cls, codes, donors=None):
        regions = super().__new__(cls, codes)
        regions.donors = None if donors is None else tuple(donors)
        return regions


def donor_codes(codes) -> list:
    """Of a reader's region codes, those that may donate programs: the known
    donors of a ReaderRegions, else all of them."""
    donors = getattr(codes, "donors", None)
    return list(codes if donors is None else donors)


def donated_by_q(codes, *program_paths) -> models.Q:
    """Q for rows whose program at any of `program_paths` (e.g.
    "team__program"; "" for a program itself) is donated by one of the
    regions `codes`: what a reader of a donor province reads besides what
    lies in their regions (accounts/scope.py). A donor region is always
    province-level, so the codes themselves are enough; a region that
    donates nothing adds nothing (and with ReaderRegions that know it, no
    clause at all)."""
    codes = donor_codes(codes)
    q = models.Q(pk__in=[])
    if not codes:
        return q
    for path in program_paths:
        q |= models.Q(**{f"{path}__donor_region__in" if path else "donor_region__in": codes})
    return q


class RegionManager(CodeNaturalKeyManagerMixin, models.Manager.from_queryset(RegionQuerySet)):
    pass


class Region(BilingualNameMixin, models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        PREFECTURE = "prefecture", _("prefecture")
        COUNTY = "county", _("county")

    DEPTH = {Level.PROVINCE: 0, Level.PREFECTURE: 1, Level.COUNTY: 2}

    code = models.CharField(
        _("code"), max_length=6, primary_key=True, validators=[REGION_CODE_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    history = HistoricalRecords(bases=[HistoryBase])
    objects = RegionManager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"),
                name="region_code_six_digits",
                violation_error_message=REGION_CODE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level="province", parent__isnull=True)
                    | (~models.Q(level="province") & models.Q(parent__isnull=False))
                ),
                name="region_parent_exactly_below_province",
                violation_error_message=REGION_PARENT_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("dashboards:region", args=[self.code])

    def natural_key(self):
        return (self.code,)

    def clean(self):
        super().clean()
        if self.parent_id is None or self.level not in self.DEPTH or self.level == self.Level.PROVINCE:
            return  # the check constraints speak for these cases
        expected = {self.Level.PREFECTURE: self.Level.PROVINCE, self.Level.COUNTY: self.Level.PREFECTURE}
        expected_level = expected[self.level]
        if self.parent.level != expected_level:
            raise ValidationError(
                {
                    "parent": REGION_PARENT_LEVEL_MESSAGE
                    % {
                        "level": self.get_level_display(),
                        "expected": expected_level.label,
                        "parent": self.parent,
                        "parent_level": self.parent.get_level_display(),
                    }
                }
            )

    @property
    def province_code(self) -> str:
        """The code of the province-level region this region lies in."""
        region = self
        while region.parent_id is not None:
            region = region.parent
        return region.code


class HospitalQuerySet(AnnouncedWrites):
    place_fields = frozenset({"region", "region_id"})

    def in_region(self, region):
        """Hospitals whose region is `region` or lies below it."""
        return self.filter(in_region_q(region, "region"))

    def in_regions(self, codes):
        """Hospitals in the regions `codes`, or linked to them: the donor
        hospital of a twinning or the home hospital of an expert on rotation
        (of a program whose recipient lies in the regions), the consulting
        hospital of a consultation requested from the regions (and the
        requesting one of a consultation given there), the hospital of a
        trainee hosted there, the other end of a referral from or to them.
        So an official of Tibet opens the page of a Beijing hospital that
        sends teams to Tibet (and sees there only what concerns Tibet), and
        follows every hospital link of the records they read, but cannot
        open the page of a hospital with no link to Tibet. A reader of a donor province likewise follows the links of
        its programs' records: their recipient hospitals, the hospitals of
        their twinnings, experts, surgeries, trainees, hosts and techniques.
        The links are followed through the reverse relations that the apps
        above declare on Hospital; this app imports none of them."""
        recipient = "program__recipient_hospital__region"
        linked = {
            "donor_twinnings": recipient,
            "staff__rotations": f"team__{recipient}",
            "consultations_given": "requesting_hospital__region",
            "consultations_requested": "consulting_hospital__region",
            "trainees__trainings": "host_hospital__region",
            "referrals_to": ("origin_hospital__region", "origin_region"),
            "referrals_from": ("destination_hospital__region", "destination_region"),
        }
        q = in_regions_q(codes, "region")
        for relation, paths in linked.items():
            paths = (paths,) if isinstance(paths, str) else paths
            hospitals = Hospital.objects.filter(in_regions_q(codes, *(f"{relation}__{p}" for p in paths)))
            q |= models.Q(code__in=hospitals.values("code"))
        donated = ("programs", "donor_twinnings__program", "staff__rotations__team__program",
                   "surgeries__team__program", "trainees__trainings__program",
                   "hosted_trainings__program", "techniques__program")
        for path in donated if donor_codes(codes) else ():
            hospitals = Hospital.objects.filter(donated_by_q(codes, path))
            q |= models.Q(code__in=hospitals.values("code"))
        return self.filter(q)


class HospitalManager(CodeNaturalKeyManagerMixin, models.Manager.from_queryset(HospitalQuerySet)):
    pass


class Hospital(BilingualNameMixin, models.Model):
    class Grade(models.TextChoices):
        A3 = "3A", _("Grade 3A")
        B3 = "3B", _("Grade 3B")
        C3 = "3C", _("Grade 3C")
        A2 = "2A", _("Grade 2A")
        B2 = "2B", _("Grade 2B")
        C2 = "2C", _("Grade 2C")
        ONE = "1", _("Grade 1")
        UNRATED = "unrated", _("unrated")

    class Kind(models.TextChoices):
        GENERAL = "general", _("general")
        MATERNAL_CHILD = "maternal_child", _("maternal and child health")
        CHILDREN = "children", _("children's")
        SPECIALIST = "specialist", _("specialist")
        TCM = "tcm", _("traditional Chinese medicine")
        TOWNSHIP = "township", _("township")

    code = models.CharField(
        _("code"), max_length=32, primary_key=True, validators=[CODE_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="hospitals"
    )
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    history = HistoricalRecords(bases=[HistoryBase])
    objects = HospitalManager()

    class Meta:
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Za-z0-9-]{1,32}$"),
                name="hospital_code_format",
                violation_error_message=HOSPITAL_CODE_MESSAGE,
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("dashboards:hospital", args=[self.code])

    def natural_key(self):
        return (self.code,)


class SpecialtyManager(CodeNaturalKeyManagerMixin, models.Manager):
    pass


class Specialty(BilingualNameMixin, models.Model):
    """One entry of the spec's fixed specialty code list (filled by a migration)."""

    code = models.CharField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)

    objects = SpecialtyManager()

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["name"]

    def __str__(self):
        return self.display_name

    def natural_key(self):
        return (self.code,)
