"""Local trainees, their trainings, and the trainee rollups."""

from django.db import models, router, transaction
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.scope import ScopedQuerySet
from aidtracker.lib.periods import Period, month_spans_overlapping_q, overlaps_q
from audit.models import HistoryBase, LeanHistoricalRecords
from deployments.models import Program, date_order_constraint
from aidtracker.lib.bulk_writes import bulk_write
from hospitals.models import Hospital, Specialty, donated_by_q, in_regions_q
from outcomes.models.common import (
    NOT_NEGATIVE,
    TRAINING_HOST_MESSAGE,
    RefManager,
    RefModel,
    not_negative_constraint,
    ref_unique,
)


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
        """Trainees of hospitals in the regions `codes`, and those on a
        training the regions donate or host (`Training.in_regions`)."""
        trainings = Training.objects.filter(
            donated_by_q(codes, "program") | in_regions_q(codes, "host_hospital__region")
        )
        return self.filter(
            in_regions_q(codes, "hospital__region") | models.Q(pk__in=trainings.values("trainee"))
        )

    # Bulk writes name the trainees they touch (aidtracker/lib/bulk_writes.py), so
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
        """Trainings of trainees of hospitals in the regions `codes`, those
        hosted there, and those of the programs the regions donate."""
        return self.filter(
            in_regions_q(codes, "trainee__hospital__region", "host_hospital__region")
            | donated_by_q(codes, "program")
        )

    def in_region(self, region):
        """Trainings of trainees whose own hospital is in `region`."""
        return self.filter(trainee__hospital__in=Hospital.objects.in_region(region))

    def overlapping(self, period: Period):
        return self.filter(overlaps_q(period))

    def of_donor(self, donor):
        """Trainings that name a program of the donor region `donor`."""
        return self.filter(program__donor_region=donor)

    def hosted_in(self, region):
        """Trainings (further study) hosted by a hospital in `region`."""
        return self.filter(host_hospital__in=Hospital.objects.in_region(region))

    # Bulk writes name the trainees of the rows, before and after
    # (aidtracker/lib/bulk_writes.py), so that the trainee rollups stay exact
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
        db_index=False,  # training_hosted_idx below
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
    # Refused after today (EventDatesRule); a planned training may start later.
    event_date_fields = ("independent_on",)

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
            # Donor summary and dashboard: the distinct trainees hosted for
            # further study by the donor region's hospitals, an index-only
            # scan of the hosted trainings alone (a third of them) on
            # PostgreSQL; also the host hospital's foreign-key index. Key
            # columns, not INCLUDE ones, which SQLite does not have.
            models.Index(
                fields=["host_hospital", "kind", "trainee", "start_date", "end_date", "specialty"],
                condition=models.Q(host_hospital__isnull=False),
                name="training_hosted_idx",
            ),
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
# The span rollup's kind key also holds the start dates, each a one-day span
# (of any kind, or of one kind): summed over a period, the distinct trainees
# who began a training within it (the donor dashboard's trainees per year).
STARTED = "started"


def started(kind: str) -> str:
    """The span rollup's kind key of the start dates of trainings of `kind`."""
    return f"{STARTED}:{kind}"


TRAINEE_SPAN_KINDS = [
    *TRAINEE_ROLLUP_KINDS,
    (STARTED, _("began a training")),
    *((started(kind), format_lazy("{} ({})", label, _("began"))) for kind, label in Training.Kind.choices),
]


class KeyedMonthsQuerySet(models.QuerySet):
    """The one place the keyed rollups of trainings are read (TraineeSpanMonth,
    TrainingCountMonth: rows per hospital, donor, specialty, kind, first and
    last month): the summaries' trainee figures (figures/definitions.py
    trainee_spans) and the trainings list's totals (outcomes/views.py) both go
    through `spans`."""

    def spans(self, period: Period, *, region=None, hospital=None, specialty=None, donor=None, kind=None):
        """For a period of whole months: the rows of trainees of `region`'s
        hospitals (or of `hospital`; None: all) that overlap the period,
        under the key of `specialty` and `donor` (codes or objects; None:
        all), of `kind` when given (a training kind, ANY_KIND or
        INDEPENDENT). A span rollup's `n` summed per kind is the distinct
        trainees of the trainings so narrowed that overlap the period (of
        those whose independent_on falls within it, for INDEPENDENT); a
        count rollup's `trainings` summed is those trainings (outcomes/rollups.py
        explains why)."""
        rows = self._overlapping(period).filter(
            specialty=getattr(specialty, "pk", specialty) or "", donor=getattr(donor, "pk", donor) or ""
        )
        if region is not None:
            rows = rows.filter(hospital__in=Hospital.objects.in_region(region))
        if hospital is not None:
            rows = rows.filter(hospital=hospital)
        if kind is not None:
            rows = rows.filter(kind=kind)
        return rows

    def of_every_donor(self, period: Period):
        """For a period of whole months: the rows of every donor's key (any
        specialty, any region) that overlap it; summed per donor and kind
        they are `spans(period, donor=donor)`'s sums."""
        return self._overlapping(period).filter(specialty="").exclude(donor="")

    def _overlapping(self, period: Period):
        return self.filter(month_spans_overlapping_q(period))


class TraineeSpanMonth(models.Model):
    """Signed counts of merged training spans (+1) and of the gaps between a
    trainee's spans (-1), per (hospital, donor, specialty, kind, first month,
    last month): the sum over the rows of one (donor, specialty) key that
    overlap a period of whole months is the number of distinct trainees with
    a training overlapping it, of that donor's programs and that specialty
    ("" = all; outcomes/rollups.py explains why). Derived data, rebuilt on every write of a training or
    trainee; never edited by hand (`manage.py rebuild_rollups`)."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Codes, not foreign keys: "" stands for every donor (trainings without a
    # program too) or every specialty.
    donor = models.CharField(_("donor region"), max_length=6, blank=True, default="")
    specialty = models.CharField(_("specialty"), max_length=32, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=24, choices=TRAINEE_SPAN_KINDS)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"), help_text=_("9999-12-01 while ongoing."))
    n = models.IntegerField(_("count"))

    objects = KeyedMonthsQuerySet.as_manager()

    class Meta:
        verbose_name = _("trainee spans of a month")
        verbose_name_plural = _("trainee spans per month")
        constraints = [
            # One row per group (the adjustments add to it); its index serves
            # the summary's reads too: the rows of a region's hospitals under
            # one (donor, specialty) key.
            models.UniqueConstraint(
                fields=["hospital", "donor", "specialty", "kind", "first_month", "last_month"],
                name="traineespan_key_unique",
            ),
        ]
        indexes = [
            # The reads of a donor's key over every hospital (the donor
            # summary, /donors/): an index-only scan of that key's rows.
            models.Index(
                fields=["specialty", "kind", "donor", "first_month", "last_month", "n"],
                name="traineespan_donor_idx",
            ),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.donor or '*'} {self.specialty or '*'} {self.kind} {self.first_month:%Y-%m}..{self.last_month:%Y-%m}: {self.n}"


class TrainingCountMonth(models.Model):
    """Trainings per (hospital of the trainee, donor, specialty, kind, first
    month, last month), under the same keys as TraineeSpanMonth (ANY_KIND
    and each training's own kind; no INDEPENDENT rows): the trainings
    overlapping a period of whole months are the sum of the rows whose first
    month is not after its end and whose last month is not before its start
    (the trainings list's row count). Derived data like TraineeSpanMonth,
    kept by the same upkeep."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    donor = models.CharField(_("donor region"), max_length=6, blank=True, default="")
    specialty = models.CharField(_("specialty"), max_length=32, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=TRAINEE_ROLLUP_KINDS)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"), help_text=_("9999-12-01 while ongoing."))
    trainings = models.IntegerField(_("trainings"))

    objects = KeyedMonthsQuerySet.as_manager()

    class Meta:
        verbose_name = _("trainings of a month")
        verbose_name_plural = _("trainings per month")
        constraints = [
            # One row per group (the adjustments add to it); its index serves
            # the trainings list's reads too.
            models.UniqueConstraint(
                fields=["hospital", "donor", "specialty", "kind", "first_month", "last_month"],
                name="trainingcount_key_unique",
            ),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.donor or '*'} {self.specialty or '*'} {self.kind} {self.first_month:%Y-%m}..{self.last_month:%Y-%m}: {self.trainings}"


class TraineeGroupSpanQuerySet(models.QuerySet):
    """The one place TraineeGroupSpanMonth is read."""

    def spans(self, period: Period, group: str, code, *, region=None, specialty=None, kind=None):
        """For a period of whole months: the rows of `group`'s key `code` (a
        program's, a host hospital's or a host province's code; a queryset
        or list of codes: the rows of each) that overlap the period, under
        the key of `specialty` (None: all), of trainees of `region`'s
        hospitals when given, of `kind` when given. `n` summed per code and
        kind is the distinct trainees of those trainings that overlap the
        period (for INDEPENDENT, whose independent_on falls within it)."""
        code = getattr(code, "pk", code)
        rows = self.filter(month_spans_overlapping_q(period), group=group,
                           specialty=getattr(specialty, "pk", specialty) or "")
        rows = rows.filter(code=code) if isinstance(code, str) else rows.filter(code__in=code)
        if region is not None:
            rows = rows.filter(hospital__in=Hospital.objects.in_region(region))
        if kind is not None:
            rows = rows.filter(kind=kind)
        return rows


class TraineeGroupSpanMonth(models.Model):
    """The trainee span rollup (TraineeSpanMonth: signed counts of merged
    spans and gaps, per trainee hospital, first and last month) under keys
    the summaries' trainee figures need besides region, donor and
    specialty: a program's trainings (`group` PROGRAM, `code` the program;
    kinds ANY_KIND, each training kind, INDEPENDENT) and further study by
    where it is hosted (HOST: the host hospital; HOST_REGION: the host
    hospital's province; kind further_study), each also per specialty.
    Summed over the rows of one (group, code, specialty, kind) that overlap a
    period of whole months: the distinct trainees of those trainings in it
    (outcomes/rollups.py). Derived data, kept by the trainee rollups'
    upkeep; never edited by hand (`manage.py rebuild_rollups`)."""

    PROGRAM = "program"
    HOST = "host"
    HOST_REGION = "host_region"
    GROUPS = [
        (PROGRAM, _("program")), (HOST, _("host hospital")), (HOST_REGION, _("host hospital's province")),
    ]

    # The trainee's own hospital, as in TraineeSpanMonth: the recipient
    # filter and the rebuild of a hospital's trainees read it.
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # "group" is an SQL keyword: the column is grp.
    group = models.CharField(_("group"), max_length=16, choices=GROUPS, db_column="grp")
    code = models.CharField(_("code"), max_length=64)
    specialty = models.CharField(_("specialty"), max_length=32, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=TRAINEE_ROLLUP_KINDS)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"), help_text=_("9999-12-01 while ongoing."))
    n = models.IntegerField(_("count"))

    objects = TraineeGroupSpanQuerySet.as_manager()

    class Meta:
        verbose_name = _("trainee spans of a program or host")
        verbose_name_plural = _("trainee spans per program or host")
        constraints = [
            # One row per group (the adjustments add to it); hospital first:
            # the rebuild of a hospital's trainees deletes its rows.
            models.UniqueConstraint(
                fields=["hospital", "group", "code", "specialty", "kind", "first_month", "last_month"],
                name="traineegroupspan_key_unique",
            ),
        ]
        indexes = [
            # The program page's trainees, the donor summary's hosted
            # trainees and the donor hospitals' (one key, or each host
            # hospital's): an index-only scan of the key's rows, the
            # recipient filter's hospital included.
            models.Index(
                fields=["group", "code", "specialty", "kind", "first_month", "last_month", "hospital", "n"],
                name="traineegroupspan_key_idx",
            ),
        ]

    def __str__(self):
        return f"{self.hospital_id} {self.group} {self.code} {self.specialty or '*'} {self.kind} {self.first_month:%Y-%m}..{self.last_month:%Y-%m}: {self.n}"
