"""Programs, twinned departments, teams (batches), people and their rotations."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections, models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scope import ScopedQuerySet
from audit.models import HistoryBase
from hospitals.models import (
    BilingualNameMixin,
    CodeNaturalKeyManagerMixin,
    Hospital,
    Region,
    Specialty,
    donated_by_q,
    in_regions_q,
)
from aidtracker.lib.periods import Period, as_date, month_spans_overlapping_q, overlaps_q
from aidtracker.lib.bulk_writes import bulk_write

KEY_MESSAGE = _("Use letters, digits, '-', '_' and '.' only, at most 64 characters.")
KEY_VALIDATOR = RegexValidator(r"^[A-Za-z0-9_.-]{1,64}$", KEY_MESSAGE)

# Messages shared by the models' constraints and validation and the importer.
DATES_ORDER_MESSAGE = _("The end date must not be before the start date.")
DONOR_REGION_MESSAGE = _("The donor region must be province-level; %(region)s is a %(level)s.")
TEAM_BATCH_UNIQUE_MESSAGE = _("This program already has a team with this batch number.")
TEAM_BATCH_POSITIVE_MESSAGE = _("The batch number must be a positive whole number.")
ROTATION_OVERLAP_MESSAGE = _(
    "%(person)s already has a rotation from %(start)s to %(end)s with %(team)s; "
    "one person's rotations may not overlap."
)

# A quality warning (it does not block: forms ask to confirm, the import
# report lists it). The rule in three forms that tests hold to agree: a
# record's method (forms), a queryset filter (pages) and SQL over a row and
# its team's (the importer's set-based check on staged rows).
ROTATION_OUTSIDE_TEAM_WARNING = _(
    "This rotation (%(start)s – %(end)s) lies outside the dates of its team %(team)s "
    "(%(team_start)s – %(team_end)s)."
)
ROTATION_OUTSIDE_TEAM_Q = models.Q(start_date__lt=models.F("team__start_date")) | models.Q(
    end_date__gt=models.F("team__end_date")
)
# {row}: the rotation's table alias; {team}: its team's.
ROTATION_OUTSIDE_TEAM_SQL = "({row}.start_date < {team}.start_date OR {row}.end_date > {team}.end_date)"


def date_order_constraint(name, start="start_date", end="end_date"):
    """CheckConstraint: `end` is empty or on/after `start`."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{end}__isnull": True})
        | models.Q(**{f"{end}__gte": models.F(start)}),
        name=name,
        violation_error_message=DATES_ORDER_MESSAGE,
    )


RECIPIENT_REGION = "recipient_hospital__region"


class ProgramQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """Programs whose recipient hospital lies in the regions `codes`, or
        that they donate."""
        return self.filter(in_regions_q(codes, RECIPIENT_REGION) | donated_by_q(codes, ""))

    def for_recipient_region(self, region):
        """Programs whose recipient hospital is in `region`."""
        return self.filter(recipient_hospital__in=Hospital.objects.in_region(region))

    def overlapping(self, period: Period):
        return self.filter(overlaps_q(period))

    def of_donor(self, donor):
        return self.filter(donor_region=donor)

    # An update of programs may move their rotations and trainings to
    # another key of the rollups (another donor or region): it announces
    # itself as a bulk write of programs, with the fields it sets
    # (aidtracker/lib/bulk_writes.py), and the rollups that depend on those fields
    # are rebuilt (deployments/rollups.py, outcomes/rollups.py).

    def update(self, **kwargs):
        with bulk_write(self.model, self.db) as touched:
            touched["fields"] = sorted(kwargs)
            return super().update(**kwargs)

    update.alters_data = True


class ProgramManager(CodeNaturalKeyManagerMixin, models.Manager.from_queryset(ProgramQuerySet)):
    pass


class Program(BilingualNameMixin, models.Model):
    class Kind(models.TextChoices):
        GROUP_AID = "group_aid", _("group aid")
        DEPARTMENT_TWINNING = "department_twinning", _("department twinning")
        REGIONAL_CENTER = "regional_center", _("regional medical centre")
        REMOTE_SUPPORT = "remote_support", _("remote support")

    code = models.CharField(_("code"), max_length=64, primary_key=True, validators=[KEY_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    donor_region = models.ForeignKey(
        Region,
        verbose_name=_("donor region"),
        on_delete=models.PROTECT,
        related_name="donated_programs",
        limit_choices_to={"level": Region.Level.PROVINCE},
    )
    recipient_hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("recipient hospital"),
        on_delete=models.PROTECT,
        related_name="programs",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Empty while ongoing."))

    history = HistoricalRecords(bases=[HistoryBase])
    objects = ProgramManager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["code"]
        constraints = [date_order_constraint("program_dates_ordered")]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("dashboards:program", args=[self.code])

    @staticmethod
    def judged_by_consultations(kind) -> bool:
        """Whether a program of `kind` is judged by its consultations
        (ConsultationQuerySet.of_program) rather than by on-site coverage: a
        remote-support program sends no one to stay, so it has no on-site
        gaps. Pages show its consultations or "remote support" instead."""
        return kind == Program.Kind.REMOTE_SUPPORT

    @property
    def is_remote_support(self) -> bool:
        return Program.judged_by_consultations(self.kind)

    def natural_key(self):
        return (self.code,)

    def clean(self):
        super().clean()
        if self.donor_region_id and self.donor_region.level != Region.Level.PROVINCE:
            raise ValidationError(
                {
                    "donor_region": DONOR_REGION_MESSAGE
                    % {"region": self.donor_region, "level": self.donor_region.get_level_display()}
                }
            )


class TwinningQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """Those of the programs that lie in the regions `codes` or that they donate."""
        return self.filter(
            in_regions_q(codes, f"program__{RECIPIENT_REGION}") | donated_by_q(codes, "program")
        )

    def overlapping(self, period: Period):
        return self.filter(overlaps_q(period))


class TwinningManager(models.Manager.from_queryset(TwinningQuerySet)):
    def get_by_natural_key(self, program, specialty, donor_hospital):
        return self.get(program=program, specialty=specialty, donor_hospital=donor_hospital)


class Twinning(models.Model):
    """A recipient department (program's hospital + specialty) twinned with a donor's."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="twinnings"
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.PROTECT, related_name="+"
    )
    donor_hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("donor hospital"),
        on_delete=models.PROTECT,
        related_name="donor_twinnings",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Empty while ongoing."))

    history = HistoricalRecords(bases=[HistoryBase])
    objects = TwinningManager()

    class Meta:
        verbose_name = _("twinning")
        verbose_name_plural = _("twinnings")
        ordering = ["program", "specialty"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "specialty", "donor_hospital"],
                name="twinning_key_unique",
                violation_error_message=_(
                    "This program already twins this department with this donor hospital."
                ),
            ),
            date_order_constraint("twinning_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.donor_hospital} → {self.specialty} ({self.program_id})"

    def natural_key(self):
        return (self.program_id, self.specialty_id, self.donor_hospital_id)

    natural_key.dependencies = ["deployments.program", "hospitals.specialty", "hospitals.hospital"]


class TeamQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """Those of the programs that lie in the regions `codes` or that they donate."""
        return self.filter(
            in_regions_q(codes, f"program__{RECIPIENT_REGION}") | donated_by_q(codes, "program")
        )

    def overlapping(self, period: Period):
        return self.filter(overlaps_q(period))

    # Bulk writes that may move rotations to another key of the expert
    # rollups (another donor, region or program) or delete them (a team's
    # cascade) announce themselves as bulk writes of rotations
    # (aidtracker/lib/bulk_writes.py): the rollups are then rebuilt.

    def update(self, **kwargs):
        with bulk_write(Rotation, self.db):
            return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        with bulk_write(Rotation, self.db):
            return super().delete()

    delete.alters_data = True


class TeamManager(CodeNaturalKeyManagerMixin, models.Manager.from_queryset(TeamQuerySet)):
    pass


class Team(BilingualNameMixin, models.Model):
    """One numbered batch of a program ("the Eighth Group")."""

    # A coordinator of the program edits it (accounts/scope.py).
    scope_program_paths = ("program",)

    code = models.CharField(_("code"), max_length=64, primary_key=True, validators=[KEY_VALIDATOR])
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    batch = models.PositiveSmallIntegerField(_("batch"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    history = HistoricalRecords(bases=[HistoryBase])
    objects = TeamManager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["program", "batch"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "batch"],
                name="team_batch_unique_in_program",
                violation_error_message=TEAM_BATCH_UNIQUE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=models.Q(batch__gte=1),
                name="team_batch_positive",
                violation_error_message=TEAM_BATCH_POSITIVE_MESSAGE,
            ),
            date_order_constraint("team_dates_ordered"),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("dashboards:team", args=[self.code])

    def natural_key(self):
        return (self.code,)

    def in_field_on(self, day) -> bool:
        """Whether the team was in the field on `day` (between its dates)."""
        return self.start_date <= day <= self.end_date


class PersonQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """People with a rotation in a program whose recipient lies in the
        regions `codes`, or that they donate."""
        rotations = Rotation.objects.filter(person=models.OuterRef("pk")).in_regions(codes)
        return self.filter(models.Exists(rotations))

    # A person's home hospital is a key of the expert rollups: bulk writes
    # that may set it announce themselves as bulk writes of people
    # (aidtracker/lib/bulk_writes.py) with the people and the fields they set, and
    # deployments/rollups.py adjusts those people's contributions.

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        # Only an upsert changes people already there (new people have no
        # rotations yet).
        fields = (kwargs.get("update_fields") or []) if kwargs.get("update_conflicts") else []
        with bulk_write(self.model, self.db, people=[obj.pk for obj in objs], fields=sorted(fields)):
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        with bulk_write(self.model, self.db, people=self, fields=sorted(kwargs)):
            return super().update(**kwargs)

    update.alters_data = True


class PersonManager(CodeNaturalKeyManagerMixin, models.Manager.from_queryset(PersonQuerySet)):
    pass


class Person(models.Model):
    """A deployed expert, identified by the data owner's stable `person_id`."""

    code = models.CharField(_("person ID"), max_length=64, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    home_hospital = models.ForeignKey(
        Hospital, verbose_name=_("home hospital"), on_delete=models.PROTECT, related_name="staff"
    )

    history = HistoricalRecords(bases=[HistoryBase])
    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What it was, for the expert rollups' home hospital key
        # (deployments/rollups.py): a save that keeps it costs nothing more.
        if "home_hospital_id" in instance.__dict__:
            instance._rollup_old_home = instance.home_hospital_id
        return instance

    def natural_key(self):
        return (self.code,)


class Title(models.TextChoices):
    CHIEF = "chief", _("chief physician")
    ASSOCIATE_CHIEF = "associate_chief", _("associate chief physician")
    ATTENDING = "attending", _("attending physician")
    RESIDENT = "resident", _("resident")
    NURSE = "nurse", _("nurse")
    TECHNICIAN = "technician", _("technician")
    ADMINISTRATOR = "administrator", _("administrator")


class RotationQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """Rotations in teams of the programs that lie in the regions `codes`
        or that they donate."""
        return self.filter(
            in_regions_q(codes, f"team__program__{RECIPIENT_REGION}")
            | donated_by_q(codes, "team__program")
        )

    def overlapping(self, period: Period):
        return self.filter(overlaps_q(period))

    def for_recipient_region(self, region):
        return self.filter(team__program__in=Program.objects.for_recipient_region(region))

    def of_donor(self, donor):
        """Rotations in teams of programs of the donor region `donor`."""
        return self.filter(team__program__donor_region=donor)

    def outside_team_dates(self):
        """Rotations that begin before their team or end after it (a quality warning)."""
        return self.filter(ROTATION_OUTSIDE_TEAM_Q)

    def on_site_on(self, day):
        """Rotations whose dates include `day` (both ends counted)."""
        return self.filter(start_date__lte=day, end_date__gte=day)

    def covered_spans(self) -> list[tuple]:
        """[(program, specialty, first day, last day, rotations), ...]: the
        days these rotations cover, per program and specialty, merged into
        disjoint spans (overlapping rotations, and touching ones: one ending
        the day before the next begins), in (program, specialty, first day)
        order, each with the number of rotations merged into it. One query
        (covered_spans_sql). The pages read these spans of all rotations
        from CoveredSpan, which deployments/coverage.py keeps."""
        sql, params = self.covered_spans_sql()
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY p, c, s", params)
            return [(p, c, as_date(s), as_date(e), n) for p, c, s, e, n in cursor.fetchall()]

    def covered_spans_sql(self) -> tuple[str, list]:
        """(SQL, params): a SELECT of covered_spans' rows, columns p, c, s,
        e, n, in no set order.

        Gaps and islands in SQL, with the window functions that SQLite and
        PostgreSQL share (as outcomes/rollups.py merges a trainee's
        trainings). A rotation begins a new span when it starts after the
        day following the latest end of the rotations before it (in start
        order). One row per span, bounded by the gaps between them, not by
        the rotations (a long program has tens of thousands)."""
        rows = self.order_by().values(
            p=models.F("team__program_id"), c=models.F("specialty_id"),
            s=models.F("start_date"), e=models.F("end_date"),
        )
        inner, params = rows.query.sql_with_params()
        # Dates are date on PostgreSQL and ISO text on SQLite (ordered alike).
        day_after = "reach + 1" if connections[self.db].vendor == "postgresql" else "date(reach, '+1 day')"
        # m: each rotation with the latest end before it (`reach`), its place
        # (`rn`), and its partition's last day and size, all from one sort.
        # b: the rotations that begin a span (after the day following
        # `reach`); each span ends at the next one's `reach` (every earlier
        # rotation ends by then), the last at the partition's last day, and
        # holds the rotations up to the next one's place. The second window
        # sorts only the spans' first rows.
        sql = (
            f"WITH r AS ({inner}), "
            "m AS (SELECT p, c, s, "
            "MAX(e) OVER (PARTITION BY p, c ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach, "
            "ROW_NUMBER() OVER (PARTITION BY p, c ORDER BY s, e) AS rn, "
            "MAX(e) OVER (PARTITION BY p, c) AS hi, COUNT(*) OVER (PARTITION BY p, c) AS total FROM r), "
            "b AS (SELECT p, c, s, rn, hi, total, LEAD(reach) OVER (PARTITION BY p, c ORDER BY rn) AS next_reach, "
            "LEAD(rn) OVER (PARTITION BY p, c ORDER BY rn) AS next_rn "
            f"FROM m WHERE reach IS NULL OR s > {day_after}) "
            "SELECT p, c, s, COALESCE(next_reach, hi) AS e, COALESCE(next_rn, total + 1) - rn AS n FROM b"
        )
        return sql, list(params)

    # Bulk writes announce themselves (aidtracker/lib/bulk_writes.py), so that the
    # experts-per-month rollup stays exact (deployments/rollups.py).

    def bulk_create(self, objs, *args, **kwargs):
        with bulk_write(self.model, self.db):
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        with bulk_write(self.model, self.db):
            return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        with bulk_write(self.model, self.db):
            return super().delete()

    delete.alters_data = True


#: What a rotation contributes to the expert rollups and its program's
#: covered days (deployments/rollups.py, deployments/coverage.py) depends on
#: these alone.
ROLLUP_FIELDS = ("team_id", "person_id", "specialty_id", "start_date", "end_date")


class RotationManager(models.Manager.from_queryset(RotationQuerySet)):
    def get_by_natural_key(self, team, person):
        return self.get(team=team, person=person)


class Rotation(models.Model):
    """One person's stay with a team."""

    # A coordinator of the team's program edits it (accounts/scope.py).
    scope_program_paths = ("team__program",)

    class Role(models.TextChoices):
        LEADER = "leader", _("team leader")
        MEMBER = "member", _("member")
        PAIRED_DIRECTOR = "paired_director", _("paired director")

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="rotations"
    )
    # The db index on person serves the overlap check of one person's rotations.
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="rotations"
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=16, choices=Title.choices)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    history = HistoricalRecords(bases=[HistoryBase])
    objects = RotationManager()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What it was, for the rollups (deployments/rollups.py and
        # coverage.py): a save that changes none of these leaves them as they
        # are; one that changes the person adjusts both people. With a field
        # deferred, the pre_save signal reads them instead.
        loaded = instance.__dict__
        if all(field in loaded for field in ROLLUP_FIELDS):
            instance._rollup_old = tuple(loaded[field] for field in ROLLUP_FIELDS)
        return instance

    class Meta:
        verbose_name = _("rotation")
        verbose_name_plural = _("rotations")
        ordering = ["team", "start_date", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                name="rotation_key_unique",
                violation_error_message=_("This person already has a rotation with this team."),
            ),
            date_order_constraint("rotation_dates_ordered"),
        ]
        indexes = [
            # Experts on site in a period and the coverage timeline: rotations
            # overlapping a date range, for a program's teams.
            models.Index(fields=["start_date", "end_date"], name="rotation_dates_idx"),
        ]
        # On PostgreSQL a migration also adds an exclusion constraint
        # (rotation_person_no_overlap) so overlapping rotations of one person
        # are refused by the database itself.

    def __str__(self):
        return f"{self.person} — {self.team} ({self.start_date} – {self.end_date})"

    def natural_key(self):
        return (self.team_id, self.person_id)

    natural_key.dependencies = ["deployments.team", "deployments.person"]

    def quality_warnings(self) -> list:
        """What looks wrong but may be right (saved once confirmed): a
        rotation outside its team's dates."""
        if not (self.team_id and self.start_date and self.end_date):
            return []
        team = self.team
        if team.in_field_on(self.start_date) and team.in_field_on(self.end_date):
            return []
        return [ROTATION_OUTSIDE_TEAM_WARNING % {
            "start": self.start_date.isoformat(), "end": self.end_date.isoformat(), "team": team.code,
            "team_start": team.start_date.isoformat(), "team_end": team.end_date.isoformat(),
        }]

    def clean(self):
        super().clean()
        if not (self.person_id and self.start_date and self.end_date):
            return
        clash = (
            Rotation.objects.filter(
                person_id=self.person_id,
                start_date__lte=self.end_date,
                end_date__gte=self.start_date,
            )
            .exclude(pk=self.pk)
            .select_related("team")
            .first()
        )
        if clash:
            raise ValidationError(
                ROTATION_OVERLAP_MESSAGE
                % {
                    "person": clash.person_id,
                    "start": clash.start_date.isoformat(),
                    "end": clash.end_date.isoformat(),
                    "team": clash.team_id,
                }
            )


# The keys of the expert rollups: codes, not foreign keys; "" stands for
# every value (region "": every recipient region; donor "": every donor;
# specialty "": every specialty). Every rotation counts under all 8
# combinations of its own (province of the program's recipient hospital,
# program's donor region, rotation's specialty) and "", with home "". The
# rows with a home hospital (home: its code) count the people whose home
# hospital it is, per donor: every rotation counts under (its donor, its
# person's home hospital, its specialty or "", region "") too. A reader
# picks one kind or the other (figures/definitions.py's expert_spans and
# expert_months), never both.


def home_keyed_q(homes: bool) -> models.Q:
    """The rows of an expert rollup keyed by home hospital (`homes`) or the
    others: the rollups hold both kinds (see above), and a sum over both
    would count everyone twice."""
    return models.Q(home__gt="") if homes else models.Q(home="")  # ">": a range of the unique index


class ExpertSpanQuerySet(models.QuerySet):
    def overlapping(self, period: Period, *, homes=False):
        """For a period of whole months: the rows (every key) that overlap
        it, keyed by home hospital or not (`homes`). Those of one key,
        summed, are the distinct experts of its rotations that overlap the
        period (deployments/rollups.py explains why)."""
        return self.filter(home_keyed_q(homes), month_spans_overlapping_q(period))

    def experts(self, period: Period, *, region=None, donor=None, specialty=None) -> int:
        """The distinct people with a rotation overlapping the period (of
        whole months) in a program whose recipient hospital lies in the
        province `region`, of the donor region `donor`, of `specialty`
        (codes; None: all). 1 query."""
        rows = self.overlapping(period).filter(region=region or "", donor=donor or "", specialty=specialty or "")
        return rows.aggregate(n=models.Sum("n"))["n"] or 0


class ExpertMonth(models.Model):
    """Per (recipient province, donor region, specialty, home hospital,
    month), "" = all: the distinct experts on site in the month (people
    with a rotation under the key that overlaps the month) and the days
    those rotations share with the month, summed. Derived data, kept exact
    on every write of a rotation, person, team or program by
    deployments/rollups.py; never edited by hand (`manage.py
    rebuild_rollups` recomputes it)."""

    region = models.CharField(_("recipient region"), max_length=6, blank=True, default="")
    donor = models.CharField(_("donor region"), max_length=6, blank=True, default="")
    specialty = models.CharField(_("specialty"), max_length=32, blank=True, default="")
    home = models.CharField(_("home hospital"), max_length=32, blank=True, default="")
    month = models.DateField(_("month (first day)"))
    # Signed: an adjustment adds a difference (deployments/rollups.py).
    experts = models.IntegerField(_("experts"))
    days = models.IntegerField(_("expert-days"))

    class Meta:
        verbose_name = _("experts on site in a month")
        verbose_name_plural = _("experts on site per month")
        constraints = [
            # One row per key and month (the adjustments add to it); its
            # index serves the reads of one key's months, of one donor's
            # regions (the donor summary, its chart; the overview's regions
            # under donor "") and of one donor's home hospitals (the donor
            # dashboard's hospitals table).
            models.UniqueConstraint(
                fields=["donor", "specialty", "home", "region", "month"], name="expertmonth_key_unique"
            ),
        ]
        indexes = [
            # One region's donors (the region summary's by_donor; /donors/
            # under region "", home "").
            models.Index(fields=["region", "specialty", "home", "donor", "month"], name="expertmonth_region_idx"),
            # One donor's home hospitals (the donor dashboard's hospitals
            # table): an index-only scan of the rows keyed by home hospital.
            models.Index(
                fields=["donor", "specialty", "home", "region", "month", "days"],
                condition=models.Q(home__gt=""), name="expertmonth_home_idx",
            ),
        ]

    def __str__(self):
        return (
            f"{self.region or '*'} {self.donor or '*'} {self.specialty or '*'} {self.home or '*'} "
            f"{self.month:%Y-%m}: {self.experts}"
        )


class ExpertSpanMonth(models.Model):
    """Signed counts of the merged rotation spans of a person (+1) and of
    the gaps between them (-1), per (recipient province, donor region,
    specialty, home hospital, first month, last month), "" = all: the sum
    over the rows of one key that overlap a period of whole months is the
    number of distinct experts with a rotation under that key overlapping it
    (aidtracker/lib/rollups.py explains why). Derived data like
    ExpertMonth."""

    region = models.CharField(_("recipient region"), max_length=6, blank=True, default="")
    donor = models.CharField(_("donor region"), max_length=6, blank=True, default="")
    specialty = models.CharField(_("specialty"), max_length=32, blank=True, default="")
    home = models.CharField(_("home hospital"), max_length=32, blank=True, default="")
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    n = models.IntegerField(_("count"))

    objects = ExpertSpanQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert spans of a month")
        verbose_name_plural = _("expert spans per month")
        constraints = [
            # One row per group (the adjustments add to it); its index serves
            # the reads of one key, of one donor's regions (the donor
            # summary's by_recipient; the overview's regions under donor "")
            # and of one donor's home hospitals (the donor dashboard's
            # hospitals table).
            models.UniqueConstraint(
                fields=["donor", "specialty", "home", "region", "first_month", "last_month"],
                name="expertspan_key_unique",
            ),
        ]
        indexes = [
            # One region's donors (the region summary's by_donor; /donors/
            # under region "", home "").
            models.Index(
                fields=["region", "specialty", "home", "donor", "first_month"], name="expertspan_region_idx"
            ),
            # One donor's home hospitals (the donor dashboard's hospitals
            # table): an index-only scan of the rows keyed by home hospital.
            models.Index(
                fields=["donor", "specialty", "home", "region", "first_month", "last_month", "n"],
                condition=models.Q(home__gt=""), name="expertspan_home_idx",
            ),
        ]

    def __str__(self):
        return (
            f"{self.region or '*'} {self.donor or '*'} {self.specialty or '*'} {self.home or '*'} "
            f"{self.first_month:%Y-%m}..{self.last_month:%Y-%m}: {self.n}"
        )


class CoveredSpanQuerySet(models.QuerySet):
    def of_visible_programs(self, user, programs):
        """The spans of those of `programs` (codes) that `user` may read."""
        return self.filter(program__in=Program.objects.visible_to(user).filter(code__in=programs))

    def overlapping(self, period: Period):
        return self.filter(overlaps_q(period, "first_day", "last_day"))

    def rows(self) -> list[tuple]:
        """[(program, specialty, first day, last day, rotations), ...] in
        that order, as RotationQuerySet.covered_spans gives them."""
        return list(
            self.order_by("program", "specialty", "first_day")
            .values_list("program", "specialty", "first_day", "last_day", "rotations")
        )


class CoveredSpan(models.Model):
    """The days the rotations of one program's teams in one specialty cover,
    merged into disjoint spans (RotationQuerySet.covered_spans of all
    rotations): what the coverage of a twinned department is computed from
    (the program, hospital and donor pages), a few rows per department
    however many rotations. Derived data, kept exact on every write of a
    rotation or team by deployments/coverage.py; never edited by hand
    (`manage.py rebuild_rollups` recomputes it)."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    rotations = models.PositiveIntegerField(_("rotations"))

    objects = CoveredSpanQuerySet.as_manager()

    class Meta:
        verbose_name = _("covered span")
        verbose_name_plural = _("covered spans")
        constraints = [
            # Its index serves the reads of one program's (and one
            # department's) spans.
            models.UniqueConstraint(fields=["program", "specialty", "first_day"], name="coveredspan_key_unique"),
        ]

    def __str__(self):
        return f"{self.program_id} {self.specialty_id} {self.first_day}..{self.last_day}: {self.rotations}"
