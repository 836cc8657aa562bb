"""Surgeries (no patient identifiers, by design) and their monthly rollup."""

from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scope import ScopedQuerySet
from aidtracker.lib.periods import Period, as_date, within_q
from audit.models import HistoryBase, LeanHistoricalRecords
from deployments.models import Program, Team, Twinning
from aidtracker.lib.bulk_writes import bulk_write
from hospitals.models import Hospital, Specialty, donated_by_q, donor_codes, in_regions_q
from outcomes.models.common import (
    NOT_NEGATIVE,
    SURGERY_GRADE_MESSAGE,
    RefManager,
    RefModel,
    not_negative_constraint,
    ref_unique,
)

# Surgical approaches that count as minimally invasive (interchange spec, section 3).
MINIMALLY_INVASIVE = ("laparoscopic", "thoracoscopic", "endoscopic", "robotic", "interventional")

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
    # The skills-transfer share of complex operations (grade 3-4 led by a
    # local surgeon alone) and the safety figures (outcomes by who led).
    "local_grade_3_4": models.Q(lead="local", grade__in=(3, 4)),
    **{
        f"{outcome}_{lead}": models.Q(outcome=outcome, lead=lead)
        for outcome in ("complication", "death")
        for lead in ("visiting", "joint", "local")
    },
}

# Quality warnings (they do not block: forms ask to confirm, the import
# report lists them). Each rule in three forms that tests hold to agree: the
# record's method (forms), a queryset filter (pages) and SQL over a row, its
# team's and that team's program's (the importer's check on staged rows).
SURGERY_TEAM_DATES_WARNING = _(
    "Team %(team)s was not in the field on %(date)s (it was from %(start)s to %(end)s)."
)
SURGERY_TEAM_HOSPITAL_WARNING = _(
    "Team %(team)s works at %(team_hospital)s, not at %(hospital)s where this surgery was."
)
SURGERY_TEAM_DATES_Q = models.Q(team__isnull=False) & (
    models.Q(date__lt=models.F("team__start_date")) | models.Q(date__gt=models.F("team__end_date"))
)
SURGERY_TEAM_HOSPITAL_Q = models.Q(team__isnull=False) & ~models.Q(
    team__program__recipient_hospital=models.F("hospital")
)
# {row}: the surgery's table alias; {team}: its team's; {program}: the team's program's.
SURGERY_TEAM_DATES_SQL = "({row}.date < {team}.start_date OR {row}.date > {team}.end_date)"
SURGERY_TEAM_HOSPITAL_SQL = "({program}.recipient_hospital_id <> {row}.hospital_id)"


class SurgeryQuerySet(ScopedQuerySet, models.QuerySet):
    def outside_team_dates(self):
        """Surgeries dated when their team was not in the field (a quality warning)."""
        return self.filter(SURGERY_TEAM_DATES_Q)

    def team_of_other_hospital(self):
        """Surgeries whose team belongs to another recipient hospital's program (a quality warning)."""
        return self.filter(SURGERY_TEAM_HOSPITAL_Q)

    def in_regions(self, codes):
        """Surgeries at hospitals in the regions `codes`; for the donor
        regions among them, the surgeries of their teams and of the
        departments they twin (by the twinning's program and specialty; its
        dates are the `twinned_by` filter's business)."""
        if not donor_codes(codes):
            return self.filter(in_regions_q(codes, "hospital__region"))
        programs = Program.objects.filter(donated_by_q(codes, ""))
        twinned = Twinning.objects.filter(
            program__in=programs,
            program__recipient_hospital=models.OuterRef("hospital"),
            specialty=models.OuterRef("specialty"),
        )
        # Uncorrelated subqueries first: PostgreSQL hashes them once, and for
        # a reader who donates nothing never runs the correlated one.
        return self.filter(
            in_regions_q(codes, "hospital__region")
            | models.Q(team__in=Team.objects.filter(program__in=programs))
            | (models.Q(hospital__in=programs.values("recipient_hospital")) & models.Exists(twinned))
        )

    def in_region(self, region):
        """Surgeries at hospitals in `region`."""
        return self.filter(hospital__in=Hospital.objects.in_region(region))

    def within(self, period: Period):
        return self.filter(within_q(period, "date"))

    def of_donor(self, donor):
        """Surgeries whose team belongs to a program of the donor region `donor`."""
        return self.filter(team__program__donor_region=donor)

    def of_departments_twinned_by(self, donor, program=None):
        """Surgeries of the departments the donor region `donor` twins,
        whoever led them (local surgeons' own operations carry no team): at
        the recipient hospital of one of its programs, in the specialty of a
        twinning of that program whose dates include the surgery's date
        (interchange spec, section 6: `twinned_department_surgeries`).
        `program` (a program or its code, of `donor`): its twinnings alone."""
        programs = Program.objects.of_donor(donor)
        if program:
            programs = programs.filter(pk=getattr(program, "pk", program))
        return self._of_departments_twinned_in(programs)

    def of_departments_twinned_in(self, program):
        """Surgeries of the departments the program (or its code) twins,
        whoever led them: `of_departments_twinned_by` its donor, for its
        twinnings alone (the program page's figure)."""
        return self._of_departments_twinned_in(Program.objects.filter(pk=getattr(program, "pk", program)))

    def _of_departments_twinned_in(self, programs):
        day = models.OuterRef("date")
        twinnings = Twinning.objects.filter(
            program__in=programs,
            program__recipient_hospital=models.OuterRef("hospital"),
            specialty=models.OuterRef("specialty"),
            start_date__lte=day,
        ).filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=day))
        # The hospitals first: a cheap narrowing the (hospital, date) index serves.
        return self.filter(hospital__in=programs.values("recipient_hospital")).filter(models.Exists(twinnings))

    def minimally_invasive(self, yes=True):
        q = SURGERY_COUNTS["minimally_invasive"]
        return self.filter(q if yes else ~q)

    # Bulk writes announce the hospitals and months they touched, before and
    # after (aidtracker/lib/bulk_writes.py), so that the monthly rollup stays exact
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
    # Refused after today (outcomes.models.common.EventDatesRule, spec section 2).
    event_date_fields = ("date",)

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

    def quality_warnings(self) -> list:
        """What looks wrong but may be right (saved once confirmed): the team
        was not in the field that day, or works at another hospital."""
        if not self.team_id:
            return []
        team = self.team
        found = []
        if self.date and not team.in_field_on(self.date):
            found.append(SURGERY_TEAM_DATES_WARNING % {
                "team": team.code, "date": self.date.isoformat(),
                "start": team.start_date.isoformat(), "end": team.end_date.isoformat(),
            })
        if self.hospital_id and team.program.recipient_hospital_id != self.hospital_id:
            found.append(SURGERY_TEAM_HOSPITAL_WARNING % {
                "team": team.code, "team_hospital": team.program.recipient_hospital, "hospital": self.hospital,
            })
        return found

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
    local_grade_3_4 = models.PositiveIntegerField(_("grade 3-4 led by a local surgeon alone"), default=0)
    complication_visiting = models.PositiveIntegerField(_("complications, led by a visiting expert"), default=0)
    complication_joint = models.PositiveIntegerField(_("complications, led jointly"), default=0)
    complication_local = models.PositiveIntegerField(_("complications, led by a local surgeon alone"), default=0)
    death_visiting = models.PositiveIntegerField(_("deaths, led by a visiting expert"), default=0)
    death_joint = models.PositiveIntegerField(_("deaths, led jointly"), default=0)
    death_local = models.PositiveIntegerField(_("deaths, led by a local surgeon alone"), default=0)

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


