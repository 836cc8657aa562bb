"""Every figure's rule, written once (interchange spec, section 5).

Each function here is one sentence of the spec's definitions: it returns the
rows a figure counts, as a queryset, or the expression that measures them.
`region` is a province-level region (or its code); None stands for every
region, for the overview, which groups the same rows by province.
The region summary, the series the dashboards chart, the overview and the
dashboards' links to the rows behind a card all take their rows from here.
What a rule means for one record ("minimally invasive", "at a hospital in
R", "of a donor's program", "overlaps the period") is a method of the
record's queryset (outcomes/models.py, deployments/models.py,
hospitals/models.py), so that the lists' filters and the rollups below this
app use the very same rule.

The optional filters of the dashboards (not part of the spec; absent = the
spec's figures exactly):

`specialty` (a specialty code) narrows every figure that has a specialty of
its own: twinned departments (the twinning's), experts and expert-days (the
rotation's), surgeries, trainees, techniques and consultations. Programs,
teams and referrals have no specialty and stay as they are.

`donor` (a province-level region code) keeps the programs of that donor and
what hangs off them: programs, twinned departments, teams, experts and
expert-days (rotations in their teams), surgeries (whose team belongs to one
of them; surgeries without a team drop out), trainees and techniques (whose
program is one of them), and consultations (given by a hospital in the
donor region). Referrals have no relation to a donor and stay.

`program` (a program's code; `hospital` for surgeries, its recipient
hospital's code) keeps what names the program, for the program page
(figures/program.py): its twinnings, teams, experts and expert-days
(rotations in its teams), trainees and techniques (whose program it is),
consultations (its remote support: ConsultationQuerySet.of_program, which
takes the program itself), the surgeries of its twinned departments; and
the surgeries at its recipient hospital, whoever led them (`hospital`).

Where the spec's wording leaves a choice, it is read literally: twinnings
and teams count by their own dates; experts and expert-days by the
rotation's dates, whatever the program's.
"""

import datetime as dt

from django.db.models import DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Greatest, Least

from aidtracker.lib.periods import Period, month_start, overlaps_q, within_q
from deployments.models import ExpertMonth, ExpertSpanMonth, Program, Rotation, Team, Twinning, home_keyed_q
from hospitals.models import Hospital
from outcomes.models import (
    SURGERY_COUNTS,  # noqa: F401 (what the summaries count among surgeries, with the rest)
    Consultation,
    Referral,
    Surgery,
    SurgeryMonth,
    Technique,
    TraineeGroupSpanMonth,
    TraineeSpanMonth,
    Training,
)

LEADS = ("visiting", "joint", "local")
GRADES = (1, 2, 3, 4)
TRAINING_KINDS = ("onsite_course", "mentorship", "further_study")
REFERRAL_KINDS = ("transfer_in", "referral_out", "international")

ONE_DAY = dt.timedelta(days=1)


def _in_region(queryset, region):
    """The queryset's rows in `region` (its own `in_region` rule); None: all."""
    return queryset if region is None else queryset.in_region(region)


def _narrowed(queryset, specialty=None, donor=None, program=None, path="program"):
    """`queryset` narrowed by the optional filters; `program` at `path`."""
    if specialty:
        queryset = queryset.filter(specialty=specialty)
    if donor:
        queryset = queryset.of_donor(donor)
    if program:
        queryset = queryset.filter(**{path: getattr(program, "pk", program)})
    return queryset


# --- deployments ----------------------------------------------------------------------

def programs(region, donor=None):
    """Programs whose recipient hospital is in `region` (of `donor` when
    given), whatever their dates: what the other deployment figures hang off.
    `region` None: every region (the overview groups them by province)."""
    rows = Program.objects.all() if region is None else Program.objects.for_recipient_region(region)
    return _narrowed(rows, donor=donor)


def _of_programs(queryset, path, region, donor):
    """`queryset` narrowed to rows whose program (at `path`) is one of `programs()`."""
    if region is None and donor is None:
        return queryset
    return queryset.filter(**{f"{path}__in": programs(region, donor)})


def counted_programs(region, period: Period, donor=None):
    """`programs`: those of `programs()` whose dates overlap the period."""
    return programs(region, donor).overlapping(period)


def twinnings(region, period: Period, *, specialty=None, donor=None, program=None):
    """`twinned_departments`: twinnings of those programs whose own dates
    overlap the period."""
    rows = _of_programs(Twinning.objects.overlapping(period), "program", region, donor)
    return _narrowed(rows, specialty, program=program)


def teams(region, period: Period, donor=None, *, program=None):
    """`teams`: teams of those programs whose own dates overlap the period."""
    return _narrowed(_of_programs(Team.objects.overlapping(period), "program", region, donor), program=program)


def rotations(region, period: Period, *, specialty=None, donor=None, program=None):
    """The rotations behind `experts` (their distinct people) and
    `expert_days`: rotations in teams of those programs whose dates overlap
    the period."""
    rows = _of_programs(Rotation.objects.overlapping(period), "team__program", region, donor)
    return _narrowed(rows, specialty, program=program, path="team__program")


def days_within(period: Period):
    """Expression: the days a row's [start_date, end_date] shares with the
    period, both ends counted (a duration; for rows that overlap it and have
    an end date)."""
    end = Least(F("end_date"), Value(period.end)) if period.end else F("end_date")
    start = Greatest(F("start_date"), Value(period.start)) if period.start else F("start_date")
    return ExpressionWrapper(end - start + Value(ONE_DAY), output_field=DurationField())


def expert_spans(period: Period, *, homes=False):
    """For a period of whole months: the rows of the expert span rollup
    (every key) that overlap it. Those of one key (region, donor,
    specialty: codes, "" = all), summed, are the distinct people of
    `rotations(region, period, specialty=..., donor=...)`
    (deployments/rollups.py explains why). `homes`: the rows keyed by home
    hospital instead (region "", a donor, specialty or "", home: a
    hospital's code), those of one home hospital the distinct people whose
    home hospital it is among the donor's."""
    return ExpertSpanMonth.objects.overlapping(period, homes=homes)


def expert_months(period: Period, *, homes=False):
    """For a period of whole months: the rows of the experts-per-month
    rollup (every key) of its months. Those of one key, their `days`
    summed, are `days_within(period)` summed over the same rotations; each
    row's `experts` is the distinct people of that month's. `homes`: the
    rows keyed by home hospital instead, as expert_spans'."""
    rows = ExpertMonth.objects.filter(home_keyed_q(homes))
    if period.start is not None:
        rows = rows.filter(month__gte=month_start(period.start))
    if period.end is not None:
        rows = rows.filter(month__lte=period.end)
    return rows


# --- outcomes -------------------------------------------------------------------------

def surgeries(region, period: Period, *, specialty=None, donor=None, hospital=None):
    """`surgeries.*`: surgeries at hospitals in the region dated within the
    period (the breakdowns count among them, by SURGERY_COUNTS); at the
    hospital `hospital` (a code) alone when given, whoever led them."""
    return _narrowed(_in_region(Surgery.objects.within(period), region), specialty, donor, hospital, "hospital")


def surgery_months(region, months: Period, *, specialty=None, donor=None, hospital=None):
    """The monthly rollup rows of the same surgeries for the whole months
    `months` (a Period of months' first days, see Period.split)."""
    rows = SurgeryMonth.objects.in_months(months)
    if region is not None:
        rows = rows.filter(hospital__in=Hospital.objects.in_region(region))
    if hospital:
        rows = rows.filter(hospital=getattr(hospital, "pk", hospital))
    if specialty:
        rows = rows.filter(specialty=specialty)
    if donor:
        rows = rows.filter(team__program__donor_region=donor)
    return rows


def trainings(region, *, specialty=None, donor=None, program=None):
    """Trainings of the region's trainees (their own hospital in the region),
    whatever their dates; `trainees_overlap` and `independent_within` pick
    those each trainee figure counts."""
    return _narrowed(_in_region(Training.objects.all(), region), specialty, donor, program)


def trainee_spans(region, period: Period, *, specialty=None, donor=None):
    """For a period of whole months: the rows of the trainee span rollup of
    the region's trainees that overlap it, under the key of `specialty` and
    `donor` (codes; None: all). Summed per kind they are the distinct
    trainees `trainees_overlap` and `independent_within` count among
    `trainings(region, specialty=..., donor=...)` (outcomes/rollups.py
    explains why; TraineeSpanMonth.objects.spans reads them, for the
    trainings list too)."""
    return TraineeSpanMonth.objects.spans(period, region=region, specialty=specialty, donor=donor)


def trainee_spans_of_donors(period: Period):
    """For a period of whole months: the span rollup rows of every donor's
    key (any specialty, any region) that overlap it; summed per donor and
    kind they are `trainee_spans(None, period, donor=donor)`'s sums."""
    return TraineeSpanMonth.objects.of_every_donor(period)


def program_trainee_spans(program, period: Period, region=None, *, specialty=None):
    """For a period of whole months: the rows of the program span rollup
    of `program` (a code or Program) that overlap it, of trainees of
    `region`'s hospitals when given, under the key of `specialty`. Summed
    per kind they are the distinct trainees `trainees_overlap` and
    `independent_within` count among `trainings(region, specialty=...,
    program=program)` (outcomes/rollups.py)."""
    return TraineeGroupSpanMonth.objects.spans(
        period, TraineeGroupSpanMonth.PROGRAM, program, region=region, specialty=specialty
    )


def hosted_trainee_spans(donor, period: Period, region=None, *, specialty=None, per_hospital=False):
    """For a period of whole months: the rows of the host span rollup that
    overlap it for `hosted_trainings(donor, region, specialty=...)`. Summed,
    they are the distinct trainees of those trainings overlapping the
    period (`trainees.hosted`); with `per_hospital`, the rows of each host
    hospital in the donor region (`code`), summed per code, are those of
    the trainings it hosted (outcomes/rollups.py)."""
    group, code = TraineeGroupSpanMonth.HOST_REGION, donor
    if per_hospital:
        group, code = TraineeGroupSpanMonth.HOST, Hospital.objects.in_region(donor).values("code")
    return TraineeGroupSpanMonth.objects.spans(
        period, group, code, region=region, specialty=specialty, kind=Training.Kind.FURTHER_STUDY
    )


def trainees_overlap(period: Period) -> Q:
    """`trainees.total`, `by_kind`: trainings whose dates overlap the period
    (no end date = ongoing); distinct trainees among them."""
    return overlaps_q(period)


def independent_within(period: Period) -> Q:
    """`trainees.independent`: trainings whose `independent_on` falls within
    the period; distinct trainees among them."""
    return Q(independent_on__isnull=False) & within_q(period, "independent_on")


def hosted_trainings(donor, region=None, *, specialty=None):
    """The trainings behind the donor summary's `trainees.hosted`: further
    study hosted by a hospital in the donor region `donor`, whatever its
    program (of trainees of `region`'s hospitals when given);
    `trainees_overlap` picks those of a period, their distinct trainees
    count."""
    rows = Training.objects.filter(kind=Training.Kind.FURTHER_STUDY).hosted_in(donor)
    return _narrowed(_in_region(rows, region), specialty)


def twinned_department_surgeries(donor, period: Period, region=None, *, specialty=None, program=None):
    """The donor summary's `twinned_department_surgeries`: surgeries dated
    within the period (at hospitals in `region` when given) of the
    departments the donor region `donor` twins, whoever led them
    (`Surgery.objects.of_departments_twinned_by`); of the twinnings of
    `program` (a code) alone when given."""
    return surgeries(region, period, specialty=specialty).of_departments_twinned_by(donor, program=program)


def twinned_department_days(donor, period: Period, region=None, *, specialty=None, program=None):
    """The same surgeries' departments and days, for counting them from the
    monthly rollup: (recipient hospital, specialty, start_date, end_date) of
    each twinning of the donor region's programs that overlaps the period
    (at hospitals in `region`, of `specialty`, when given). A surgery of
    `twinned_department_surgeries` is one at such a hospital, in such a
    specialty, dated within the period and within one of its rows' dates."""
    rows = _narrowed(Twinning.objects.filter(program__donor_region=donor).overlapping(period), program=program)
    if region is not None:
        rows = rows.filter(program__recipient_hospital__in=Hospital.objects.in_region(region))
    if specialty:
        rows = rows.filter(specialty=specialty)
    return rows.order_by().values_list("program__recipient_hospital", "specialty", "start_date", "end_date")


def techniques(region, period: Period, *, specialty=None, donor=None, program=None):
    """`techniques`: techniques at hospitals in the region introduced within
    the period (`first_in_region` among them)."""
    return _narrowed(_in_region(Technique.objects.within(period), region), specialty, donor, program)


def referrals(region, period: Period):
    """`referrals.*`: transfers in and international patients whose
    destination hospital is in the region, referrals out whose origin
    hospital is, dated within the period."""
    return _in_region(Referral.objects.within(period), region)


def consultations(region, period: Period, *, specialty=None, donor=None, program=None):
    """`consultations`: consultations requested by hospitals in the region,
    dated within the period; of `program` (a Program: its remote support,
    `ConsultationQuerySet.of_program`) when given."""
    rows = _narrowed(_in_region(Consultation.objects.within(period), region), specialty, donor)
    return rows.of_program(program) if program is not None else rows
