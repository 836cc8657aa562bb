"""What came of the deployments: surgeries, trainings, techniques, referrals,
consultations and monthly indicators. No patient identifiers, by design."""

from django.core.validators import MinValueValidator
from django.db import models, router, transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from audit.models import HistoryBase, LeanHistoricalRecords
from accounts.scope import ScopedQuerySet
from deployments.models import KEY_VALIDATOR, Program, Team, date_order_constraint
from deployments.signals import bulk_write
from hospitals.models import Hospital, Region, Specialty, in_regions_q
from aidtracker.lib.periods import Period, as_date, overlaps_q, within_q

NOT_NEGATIVE = [MinValueValidator(0)]

# Messages shared by the models' constraints and the importer (interchange/).
NOT_NEGATIVE_MESSAGE = _("Numbers must not be negative.")
SURGERY_GRADE_MESSAGE = _("The surgery grade is 1, 2, 3 or 4.")
TRAINING_HOST_MESSAGE = _(
    "A host hospital is required for further study, and only for further study."
)
REFERRAL_ENDS_MESSAGE = _(
    "Origin and destination do not fit the kind: a transfer in goes to a hospital "
    "from a region or hospital; a referral out leaves a hospital for a region or "
    "hospital; an international patient comes from a country to a hospital."
)
INDICATOR_PERIOD_MESSAGE = _("An indicator's period is a month (YYYY-MM).")
# Surgical approaches that count as minimally invasive (interchange spec, section 3).
MINIMALLY_INVASIVE = ("laparoscopic", "thoracoscopic", "endoscopic", "robotic", "interventional")


def not_negative_constraint(field, name):
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0}),
        name=name,
        violation_error_message=NOT_NEGATIVE_MESSAGE,
    )


class RefManager(models.Manager):
    def get_by_natural_key(self, ref):
        return self.get(ref=ref)


def ref_unique(name):
    """`ref` unique, as a constraint: the natural key and the importer's
    ON CONFLICT target. Declared as a UniqueConstraint rather than
    `unique=True`, which on PostgreSQL would add a `varchar_pattern_ops`
    (`_like`) index beside the unique one (no query searches refs by prefix)
    and an index on the history table's copy of `ref`."""
    return models.UniqueConstraint(fields=["ref"], name=name)


class RefModel(models.Model):
    """A record whose identity is the data owner's `ref` (each subclass
    declares `ref_unique(...)` among its constraints)."""

    ref = models.CharField(_("reference"), max_length=64, validators=[KEY_VALIDATOR])

    class Meta:
        abstract = True

    def __str__(self):
        return self.ref

    def natural_key(self):
        return (self.ref,)


# What the summaries count among surgeries, and the monthly rollup keeps per
# group (SurgeryMonth has a column of each name): figure -> the surgeries it
# counts (an empty Q: all of them).
SURGERY_COUNTS = {
    "total": models.Q(),
    "visiting": models.Q(lead="visiting"),
    "joint": models.Q(lead="joint"),
    "local": models.Q(lead="local"),
    "grade_1": models.Q(grade=1),
    "grade_2": models.Q(grade=2),
    "grade_3": models.Q(grade=3),
    "grade_4": models.Q(grade=4),
    "minimally_invasive": models.Q(approach__in=MINIMALLY_INVASIVE),
    "demonstration": models.Q(demonstration=True),
    "first_in_region": models.Q(first_in_region=True),
}


class SurgeryQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        return self.filter(in_regions_q(codes, "hospital__region"))

    def in_region(self, region):
        """Surgeries at hospitals in `region`."""
        return self.filter(hospital__in=Hospital.objects.in_region(region))

    def within(self, period: Period):
        return self.filter(within_q(period, "date"))

    def of_donor(self, donor):
        """Surgeries whose team belongs to a program of the donor region `donor`."""
        return self.filter(team__program__donor_region=donor)

    def minimally_invasive(self, yes=True):
        q = SURGERY_COUNTS["minimally_invasive"]
        return self.filter(q if yes else ~q)

    # Bulk writes announce the hospitals and months they touched, before and
    # after (deployments/signals.py), so that the monthly rollup stays exact
    # (outcomes/rollups.py).

    def _touched(self):
        """(hospital codes, first date, last date) of the rows of this queryset."""
        rows = list(
            self.order_by().values("hospital").annotate(first=models.Min("date"), last=models.Max("date"))
        )
        if not rows:
            return set(), None, None
        return {r["hospital"] for r in rows}, min(r["first"] for r in rows), max(r["last"] for r in rows)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with bulk_write(self.model, self.db) as touched:
            if kwargs.get("update_conflicts"):
                # Rows that exist already may move: their old groups too.
                refs = [o.ref for o in objs]
                before = self.model._default_manager.using(self.db).filter(ref__in=refs)._touched()
            else:
                before = (set(), None, None)
            created = super().bulk_create(objs, *args, **kwargs)
            dates = [as_date(o.date) for o in objs] + [d for d in before[1:] if d]
            if dates:
                touched.update(hospitals={o.hospital_id for o in objs} | before[0],
                               first=min(dates), last=max(dates))
            for o in objs:
                o._rollup_key = o.rollup_key
        return created

    def update(self, **kwargs):
        with bulk_write(self.model, self.db) as touched:
            hospitals, first, last = self._touched()
            updated = super().update(**kwargs)
            if updated:
                new_hospital = kwargs.get("hospital_id", kwargs.get("hospital"))
                new_hospital = getattr(new_hospital, "pk", new_hospital)
                new_date = kwargs.get("date")
                if isinstance(new_hospital, models.expressions.Combinable) or isinstance(
                    new_date, models.expressions.Combinable
                ):
                    touched.update(hospitals=None)  # computed values: rebuild it all
                else:
                    if new_hospital is not None:
                        hospitals.add(new_hospital)
                    dates = [d for d in (first, last) if d] + ([as_date(new_date)] if new_date else [])
                    touched.update(hospitals=hospitals, first=min(dates), last=max(dates))
        return updated

    update.alters_data = True

    def delete(self):
        with bulk_write(self.model, self.db) as touched:
            hospitals, first, last = self._touched()
            touched.update(hospitals=hospitals, first=first, last=last)
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class SurgeryManager(RefManager.from_queryset(SurgeryQuerySet)):
    pass


class Surgery(RefModel):
    class Grade(models.IntegerChoices):
        ONE = 1, _("grade 1")
        TWO = 2, _("grade 2")
        THREE = 3, _("grade 3")
        FOUR = 4, _("grade 4")

    class Approach(models.TextChoices):
        OPEN = "open", _("open")
        LAPAROSCOPIC = "laparoscopic", _("laparoscopic")
        THORACOSCOPIC = "thoracoscopic", _("thoracoscopic")
        ENDOSCOPIC = "endoscopic", _("endoscopic")
        ROBOTIC = "robotic", _("robotic")
        INTERVENTIONAL = "interventional", _("interventional")
        OTHER = "other", _("other")

    class Lead(models.TextChoices):
        VISITING = "visiting", _("visiting expert")
        JOINT = "joint", _("jointly")
        LOCAL = "local", _("local surgeon alone")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        COMPLICATION = "complication", _("complication")
        DEATH = "death", _("death")

    date = models.DateField(_("date"))
    # No single-column index: (hospital, date) below serves every query by hospital.
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT,
        related_name="surgeries", db_index=False,
    )
    # No index: no query filters surgeries by specialty alone; the summary
    # and the list filter it among rows found by (hospital, date) or date.
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    procedure = models.CharField(_("procedure"), max_length=200)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    approach = models.CharField(_("approach"), max_length=16, choices=Approach.choices)
    lead = models.CharField(_("led by"), max_length=8, choices=Lead.choices)
    # Indexed in Meta.indexes (without the `_like` index of a FK index).
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="surgeries", db_index=False,
    )
    demonstration = models.BooleanField(_("demonstration"), default=False)
    first_in_region = models.BooleanField(_("first in region"), default=False)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    blood_loss_ml = models.PositiveIntegerField(
        _("blood loss (ml)"), null=True, blank=True, validators=NOT_NEGATIVE
    )

    # A coordinator edits it when one of these is a recipient hospital of
    # their programs (accounts/scope.py).
    scope_hospital_paths = ("hospital",)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = SurgeryManager()

    class Meta:
        verbose_name = _("surgery")
        verbose_name_plural = _("surgeries")
        ordering = ["-date", "ref"]
        constraints = [
            ref_unique("surgery_ref_unique"),
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=4),
                name="surgery_grade_1_to_4",
                violation_error_message=SURGERY_GRADE_MESSAGE,
            ),
            not_negative_constraint("blood_loss_ml", "surgery_blood_loss_not_negative"),
        ]
        indexes = [
            # Region summary and dashboards: surgeries at a region's hospitals
            # within a period; hospital page: surgeries per month. On
            # PostgreSQL migration 0002 makes it covering (INCLUDE lead, grade,
            # approach, demonstration, first_in_region, team, specialty) so
            # region_summary()'s surgery aggregate and surgeries_per_month()
            # read the index alone; SQLite has no INCLUDE.
            models.Index(fields=["hospital", "date"], name="surgery_hospital_date_idx"),
            # Surgery list, newest first, across all hospitals.
            models.Index(fields=["date"], name="surgery_date_idx"),
            # Region summary's by_donor (surgeries through their team's
            # program); deleting a team checks it has no surgeries.
            models.Index(fields=["team"], name="surgery_team_idx"),
        ]

    def get_absolute_url(self):
        return reverse("outcomes:surgery", args=[self.pk])

    @property
    def minimally_invasive(self) -> bool:
        return self.approach in MINIMALLY_INVASIVE

    @property
    def rollup_key(self) -> tuple:
        """(hospital code, date): the monthly rollup's group lies in the month of the date."""
        return (self.hospital_id, self.date)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The rollup group this row lies in now: an edit that moves it to
        # another hospital or month rebuilds this group too (outcomes/rollups.py).
        instance._rollup_key = (instance.__dict__.get("hospital_id"), instance.__dict__.get("date"))
        return instance


class SurgeryMonthQuerySet(models.QuerySet):
    def in_months(self, months: Period):
        """Rows of the months `months` (a Period of months' first days, as
        Period.split gives the whole months of a period; open bounds allowed)."""
        if months.start is not None:
            self = self.filter(month__gte=months.start)
        if months.end is not None:
            self = self.filter(month__lte=months.end)
        return self


class SurgeryMonth(models.Model):
    """Counts of the surgeries of one (hospital, month, specialty, team): the
    rollup that the region summary and dashboards read whole months from.
    Derived data, rebuilt by outcomes/rollups.py on every write of a surgery;
    never edited by hand (`manage.py rebuild_rollups` recomputes it)."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField(_("month (first day)"))
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", db_index=False,
    )
    total = models.PositiveIntegerField(_("surgeries"), default=0)
    visiting = models.PositiveIntegerField(_("led by a visiting expert"), default=0)
    joint = models.PositiveIntegerField(_("led jointly"), default=0)
    local = models.PositiveIntegerField(_("led by a local surgeon alone"), default=0)
    grade_1 = models.PositiveIntegerField(_("grade 1"), default=0)
    grade_2 = models.PositiveIntegerField(_("grade 2"), default=0)
    grade_3 = models.PositiveIntegerField(_("grade 3"), default=0)
    grade_4 = models.PositiveIntegerField(_("grade 4"), default=0)
    minimally_invasive = models.PositiveIntegerField(_("minimally invasive"), default=0)
    demonstration = models.PositiveIntegerField(_("demonstration"), default=0)
    first_in_region = models.PositiveIntegerField(_("first in region"), default=0)

    objects = SurgeryMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("surgeries of a month")
        verbose_name_plural = _("surgeries per month")
        constraints = [
            # One row per group; a NULL team is a group of its own. Its index
            # (hospital, month, ...) serves the summary's reads too.
            models.UniqueConstraint(
                "hospital", "month", "specialty", Coalesce("team", models.Value("")),
                name="surgerymonth_group_unique",
            ),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.month:%Y-%m} {self.specialty_id} {self.team_id or '-'}: {self.total}"


class TraineeRollupWrites:
    """Saves and deletes of trainings and trainees run in one transaction with
    the trainee rollups' adjustment (outcomes/rollups.py: the contributions
    are read before the write under a lock and again after it), so that two
    concurrent edits of one trainee take turns instead of each adding a
    difference computed without the other's change."""

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
            return super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
            return super().delete(*args, **kwargs)

    delete.alters_data = True


class TraineeQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        return self.filter(in_regions_q(codes, "hospital__region"))

    # Bulk writes name the trainees they touch (deployments/signals.py), so
    # that the trainee rollups stay exact (outcomes/rollups.py: what those
    # trainees contribute is read before and after, the difference added).

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if not kwargs.get("update_conflicts"):
            return super().bulk_create(objs, *args, **kwargs)  # new trainees: no trainings yet
        with bulk_write(self.model, self.db, trainees={o.pk for o in objs}):
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        if "hospital" not in kwargs and "hospital_id" not in kwargs:
            return super().update(**kwargs)
        # The trainees are read in the write's transaction.
        with transaction.atomic(using=self.db, savepoint=False):
            with bulk_write(self.model, self.db, trainees=set(self.values_list("pk", flat=True))):
                return super().update(**kwargs)

    update.alters_data = True


class TraineeManager(models.Manager.from_queryset(TraineeQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Trainee(TraineeRollupWrites, models.Model):
    """A local trainee, identified by the data owner's stable `trainee_id`."""

    class Role(models.TextChoices):
        DOCTOR = "doctor", _("doctor")
        NURSE = "nurse", _("nurse")
        TECHNICIAN = "technician", _("technician")
        MANAGER = "manager", _("manager")

    code = models.CharField(_("trainee ID"), max_length=64, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    # FK index serves the summary: trainees of a region's hospitals.
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT, related_name="trainees"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    # A coordinator edits it when one of these is a recipient hospital of
    # their programs (accounts/scope.py).
    scope_hospital_paths = ("hospital",)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = TraineeManager()

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Only a move to another hospital changes the trainee rollups (outcomes/rollups.py).
        instance._rollup_hospital = instance.__dict__.get("hospital_id")
        return instance


class TrainingQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        return self.filter(in_regions_q(codes, "trainee__hospital__region"))

    def in_region(self, region):
        """Trainings of trainees whose own hospital is in `region`."""
        return self.filter(trainee__hospital__in=Hospital.objects.in_region(region))

    def overlapping(self, period: Period):
        return self.filter(overlaps_q(period))

    def of_donor(self, donor):
        """Trainings that name a program of the donor region `donor`."""
        return self.filter(program__donor_region=donor)

    # Bulk writes name the trainees of the rows, before and after
    # (deployments/signals.py), so that the trainee rollups stay exact
    # (outcomes/rollups.py).

    def _trainees(self):
        return set(self.order_by().values_list("trainee", flat=True).distinct())

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        # The trainees (before and after) are read in the write's transaction.
        with transaction.atomic(using=self.db, savepoint=False):
            trainees = {o.trainee_id for o in objs}
            if kwargs.get("update_conflicts"):
                existing = self.model._default_manager.using(self.db).filter(ref__in=[o.ref for o in objs])
                trainees |= existing._trainees()
            with bulk_write(self.model, self.db, trainees=trainees):
                created = super().bulk_create(objs, *args, **kwargs)
        for o in objs:
            o._rollup_trainee = o.trainee_id
        return created

    def update(self, **kwargs):
        new = kwargs.get("trainee_id", kwargs.get("trainee"))
        if isinstance(new, models.expressions.Combinable):
            with bulk_write(self.model, self.db) as touched:
                touched.update(all_trainees=True)  # computed values: rebuild it all
                return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            with bulk_write(self.model, self.db, trainees=self._trainees() | {getattr(new, "pk", new)}):
                return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        with transaction.atomic(using=self.db, savepoint=False):
            with bulk_write(self.model, self.db, trainees=self._trainees()):
                return super().delete()

    delete.alters_data = True


class TrainingManager(RefManager.from_queryset(TrainingQuerySet)):
    pass


class Training(TraineeRollupWrites, RefModel):
    class Kind(models.TextChoices):
        ONSITE_COURSE = "onsite_course", _("on-site course")
        MENTORSHIP = "mentorship", _("mentorship")
        FURTHER_STUDY = "further_study", _("further study at a donor hospital")

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("ongoing")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.PROTECT, related_name="trainings"
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    host_hospital = models.ForeignKey(
        Hospital, verbose_name=_("host hospital"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="hosted_trainings",
        help_text=_("Required for further study, and only then."),
    )
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="trainings",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Empty while ongoing."))
    hours = models.DecimalField(
        _("hours"), max_digits=8, decimal_places=1, null=True, blank=True, validators=NOT_NEGATIVE
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    independent_on = models.DateField(
        _("independent on"), null=True, blank=True,
        help_text=_("From this date the trainee performs the skill without supervision."),
    )
    skill = models.CharField(_("skill"), max_length=200, blank=True)

    # A coordinator edits it when one of these is a recipient hospital of
    # their programs (accounts/scope.py).
    scope_hospital_paths = ("trainee__hospital",)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = TrainingManager()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-start_date", "ref"]
        constraints = [
            ref_unique("training_ref_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="further_study", host_hospital__isnull=False)
                    | (~models.Q(kind="further_study") & models.Q(host_hospital__isnull=True))
                ),
                name="training_host_exactly_for_further_study",
                violation_error_message=TRAINING_HOST_MESSAGE,
            ),
            date_order_constraint("training_dates_ordered"),
            not_negative_constraint("hours", "training_hours_not_negative"),
        ]
        indexes = [
            # Region summary: trainings overlapping a period (joined to trainees
            # of the region's hospitals); trainees per month chart.
            models.Index(fields=["start_date", "end_date"], name="training_dates_idx"),
            # Region summary: trainees who became independent within a period.
            models.Index(fields=["independent_on"], name="training_independent_idx"),
        ]

    def get_absolute_url(self):
        return reverse("outcomes:training", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # A move to another trainee (so maybe hospital) rebuilds both (outcomes/rollups.py).
        instance._rollup_trainee = instance.__dict__.get("trainee_id")
        return instance


# The kind key of the trainee rollups: a training kind, any kind, or the
# independent_on dates.
ANY_KIND = "any"
INDEPENDENT = "independent"
TRAINEE_ROLLUP_KINDS = [
    (ANY_KIND, _("any kind")), *Training.Kind.choices, (INDEPENDENT, _("independent")),
]


class TraineeSpanMonth(models.Model):
    """Signed counts of merged training spans (+1) and of the gaps between a
    trainee's spans (-1), per (hospital, kind, first month, last month): the
    sum over the rows that overlap a period of whole months is the number of
    distinct trainees with a training overlapping it (outcomes/rollups.py
    explains why). Derived data, rebuilt on every write of a training or
    trainee; never edited by hand (`manage.py rebuild_rollups`)."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TRAINEE_ROLLUP_KINDS)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"), help_text=_("9999-12-01 while ongoing."))
    n = models.IntegerField(_("count"))

    class Meta:
        verbose_name = _("trainee spans of a month")
        verbose_name_plural = _("trainee spans per month")
        constraints = [
            # One row per group (the adjustments add to it); its index serves
            # the summary's reads too: the rows of a region's hospitals.
            models.UniqueConstraint(
                fields=["hospital", "kind", "first_month", "last_month"], name="traineespan_group_unique"
            ),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.kind} {self.first_month:%Y-%m}..{self.last_month:%Y-%m}: {self.n}"


class TraineeStartMonth(models.Model):
    """Distinct trainees of a hospital who began a training (of a kind, or of
    any kind) in a month: the trainees-per-month chart. Derived data like
    TraineeSpanMonth."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TRAINEE_ROLLUP_KINDS)
    month = models.DateField(_("month (first day)"))
    # Not Positive: an adjustment proposes a negative row that then meets
    # its existing row (ON CONFLICT), and CHECK constraints see the proposal.
    trainees = models.IntegerField(_("trainees"))

    class Meta:
        verbose_name = _("trainees starting in a month")
        verbose_name_plural = _("trainees starting per month")
        constraints = [
            # One row per group; its index serves the chart's reads too.
            models.UniqueConstraint(fields=["hospital", "month", "kind"], name="traineestart_group_unique"),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.month:%Y-%m} {self.kind}: {self.trainees}"


class TechniqueQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        return self.filter(in_regions_q(codes, "hospital__region"))

    def in_region(self, region):
        return self.filter(hospital__in=Hospital.objects.in_region(region))

    def within(self, period: Period):
        return self.filter(within_q(period, "introduced_on"))

    def of_donor(self, donor):
        """Techniques that name a program of the donor region `donor`."""
        return self.filter(program__donor_region=donor)


class TechniqueManager(RefManager.from_queryset(TechniqueQuerySet)):
    pass


class Technique(RefModel):
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT,
        related_name="techniques", db_index=False,
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    introduced_on = models.DateField(_("introduced on"))
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="techniques",
    )
    first_in_region = models.BooleanField(_("first in region"), default=False)

    # A coordinator edits it when one of these is a recipient hospital of
    # their programs (accounts/scope.py).
    scope_hospital_paths = ("hospital",)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = TechniqueManager()

    class Meta:
        verbose_name = _("technique")
        verbose_name_plural = _("techniques")
        ordering = ["-introduced_on", "ref"]
        constraints = [ref_unique("technique_ref_unique")]
        indexes = [
            # Region summary and the techniques-per-year chart: a region's
            # hospitals' techniques introduced within a period.
            models.Index(fields=["hospital", "introduced_on"], name="technique_hospital_date_idx"),
        ]

    def get_absolute_url(self):
        return reverse("outcomes:technique", args=[self.pk])


class ReferralQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """Referrals with either end in the regions `codes`."""
        return self.filter(in_regions_q(
            codes, "origin_hospital__region", "destination_hospital__region", "origin_region", "destination_region",
        ))

    def within(self, period: Period):
        return self.filter(within_q(period, "date"))

    def in_region(self, region):
        """Referrals that concern `region`: transfers in and international
        patients by their destination hospital, referrals out by their origin
        hospital (interchange spec, section 5)."""
        hospitals = Hospital.objects.in_region(region)
        return self.filter(
            models.Q(kind__in=[Referral.Kind.TRANSFER_IN, Referral.Kind.INTERNATIONAL],
                     destination_hospital__in=hospitals)
            | models.Q(kind=Referral.Kind.REFERRAL_OUT, origin_hospital__in=hospitals)
        )


class ReferralManager(RefManager.from_queryset(ReferralQuerySet)):
    pass


class Referral(RefModel):
    """A patient movement. `origin` and `destination` of the interchange format
    are each held by exactly one of a hospital, a region or (for an
    international patient's origin) an ISO 3166-1 country code."""

    class Kind(models.TextChoices):
        TRANSFER_IN = "transfer_in", _("transfer in")
        REFERRAL_OUT = "referral_out", _("referral out of the region")
        INTERNATIONAL = "international", _("international patient")

    class AgeGroup(models.TextChoices):
        NEONATE = "neonate", _("neonate")
        CHILD = "child", _("child")
        ADULT = "adult", _("adult")

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", _("recovered")
        IMPROVED = "improved", _("improved")
        DIED = "died", _("died")
        UNKNOWN = "unknown", _("unknown")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    origin_hospital = models.ForeignKey(
        Hospital, verbose_name=_("origin hospital"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="referrals_from", db_index=False,
    )
    origin_region = models.ForeignKey(
        Region, verbose_name=_("origin region"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    origin_country = models.CharField(
        _("origin country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code.")
    )
    destination_hospital = models.ForeignKey(
        Hospital, verbose_name=_("destination hospital"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="referrals_to", db_index=False,
    )
    destination_region = models.ForeignKey(
        Region, verbose_name=_("destination region"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices)
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=8, decimal_places=1, null=True, blank=True,
        validators=NOT_NEGATIVE,
    )
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=7, decimal_places=1, null=True, blank=True,
        validators=NOT_NEGATIVE,
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)

    # A coordinator edits it when one of these is a recipient hospital of
    # their programs (accounts/scope.py).
    scope_hospital_paths = ("origin_hospital", "destination_hospital")

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = ReferralManager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-date", "ref"]
        constraints = [
            ref_unique("referral_ref_unique"),
            models.CheckConstraint(
                name="referral_ends_match_kind",
                condition=(
                    # transfer in: from a region or a hospital, to a hospital
                    models.Q(
                        kind="transfer_in", destination_hospital__isnull=False,
                        destination_region__isnull=True, origin_country="",
                    )
                    & (
                        models.Q(origin_hospital__isnull=False, origin_region__isnull=True)
                        | models.Q(origin_hospital__isnull=True, origin_region__isnull=False)
                    )
                )
                | (
                    # referral out: from a hospital, to a region or a hospital
                    models.Q(
                        kind="referral_out", origin_hospital__isnull=False,
                        origin_region__isnull=True, origin_country="",
                    )
                    & (
                        models.Q(destination_hospital__isnull=False, destination_region__isnull=True)
                        | models.Q(destination_hospital__isnull=True, destination_region__isnull=False)
                    )
                )
                | (
                    # international: from a country, to a hospital
                    models.Q(
                        kind="international", origin_hospital__isnull=True,
                        origin_region__isnull=True, destination_hospital__isnull=False,
                        destination_region__isnull=True,
                    )
                    & ~models.Q(origin_country="")
                ),
                violation_error_message=REFERRAL_ENDS_MESSAGE,
            ),
            not_negative_constraint("distance_km", "referral_distance_not_negative"),
            not_negative_constraint("duration_hours", "referral_duration_not_negative"),
        ]
        indexes = [
            # Region summary: transfers in and international patients by
            # destination hospital within a period.
            models.Index(fields=["destination_hospital", "date"], name="referral_dest_date_idx"),
            # Region summary: referrals out by origin hospital within a period.
            models.Index(fields=["origin_hospital", "date"], name="referral_origin_date_idx"),
        ]

    @property
    def origin(self) -> str:
        """The interchange format's `origin`: a hospital, region or country code."""
        return self.origin_hospital_id or self.origin_region_id or self.origin_country

    @property
    def destination(self) -> str:
        return self.destination_hospital_id or self.destination_region_id or ""

    def get_absolute_url(self):
        return reverse("outcomes:referral", args=[self.pk])


class ConsultationQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        """Consultations requested or given by hospitals in the regions `codes`."""
        return self.filter(in_regions_q(codes, "requesting_hospital__region", "consulting_hospital__region"))

    def within(self, period: Period):
        return self.filter(within_q(period, "date"))

    def in_region(self, region):
        """Consultations requested by hospitals in `region`."""
        return self.filter(requesting_hospital__in=Hospital.objects.in_region(region))

    def of_donor(self, donor):
        """Consultations given by hospitals of the donor region `donor`."""
        return self.filter(consulting_hospital__in=Hospital.objects.in_region(donor))


class ConsultationManager(RefManager.from_queryset(ConsultationQuerySet)):
    pass


class Consultation(RefModel):
    class Mode(models.TextChoices):
        REMOTE = "remote", _("remote")
        ONSITE = "onsite", _("on site")

    date = models.DateField(_("date"))
    requesting_hospital = models.ForeignKey(
        Hospital, verbose_name=_("requesting hospital"), on_delete=models.PROTECT,
        related_name="consultations_requested", db_index=False,
    )
    consulting_hospital = models.ForeignKey(
        Hospital, verbose_name=_("consulting hospital"), on_delete=models.PROTECT,
        related_name="consultations_given",
    )
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)

    # A coordinator edits it when one of these is a recipient hospital of
    # their programs (accounts/scope.py).
    scope_hospital_paths = ("requesting_hospital",)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = ConsultationManager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-date", "ref"]
        constraints = [ref_unique("consultation_ref_unique")]
        indexes = [
            # Region summary: consultations requested by a region's hospitals
            # within a period.
            models.Index(fields=["requesting_hospital", "date"], name="consultation_req_date_idx"),
        ]

    def get_absolute_url(self):
        return reverse("outcomes:consultation", args=[self.pk])


class IndicatorValueQuerySet(ScopedQuerySet, models.QuerySet):
    def in_regions(self, codes):
        return self.filter(in_regions_q(codes, "hospital__region"))


class IndicatorValueManager(models.Manager.from_queryset(IndicatorValueQuerySet)):
    def get_by_natural_key(self, hospital, period, indicator):
        return self.get(hospital=hospital, period=period, indicator=indicator)


class IndicatorValue(models.Model):
    """One monthly figure of one hospital; `period` is the month's first day."""

    class Indicator(models.TextChoices):
        OUTPATIENT_VISITS = "outpatient_visits", _("outpatient visits")
        INPATIENT_ADMISSIONS = "inpatient_admissions", _("inpatient admissions")
        SURGERIES_TOTAL = "surgeries_total", _("surgeries (all)")
        OUTBOUND_REFERRALS = "outbound_referrals", _("outbound referrals")
        CONDITIONS_TREATABLE = "conditions_treatable", _("conditions treatable")
        NEONATAL_DEATHS = "neonatal_deaths", _("neonatal deaths")
        LIVE_BIRTHS = "live_births", _("live births")

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.PROTECT,
        related_name="indicator_values", db_index=False,
    )
    period = models.DateField(_("month"))
    indicator = models.CharField(_("indicator"), max_length=24, choices=Indicator.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, validators=NOT_NEGATIVE)

    history = LeanHistoricalRecords(bases=[HistoryBase])
    objects = IndicatorValueManager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["hospital", "period", "indicator"]
        constraints = [
            # Also the index of the hospital page's monthly indicators
            # (hospital, then months in order).
            models.UniqueConstraint(
                fields=["hospital", "period", "indicator"],
                name="indicator_key_unique",
                violation_error_message=_("This hospital already has this indicator for this month."),
            ),
            models.CheckConstraint(
                condition=models.Q(period__day=1),
                name="indicator_period_first_of_month",
                violation_error_message=INDICATOR_PERIOD_MESSAGE,
            ),
            not_negative_constraint("value", "indicator_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.period:%Y-%m} {self.indicator}"

    def natural_key(self):
        return (self.hospital_id, self.period.isoformat(), self.indicator)

    natural_key.dependencies = ["hospitals.hospital"]
