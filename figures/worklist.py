"""What a coordinator has to see to: coverage gaps ahead and what is missing
from the log, for their programs. The definitions of the coordinator's
worklist (its home page) and of the digest by e-mail (send_digests), once.

- **A coverage gap ahead**: for each twinned department of a program (the
  program's recipient hospital + a twinned specialty), the first day within
  the next HORIZON_DAYS days (today included) with nobody of its specialty on
  site, i.e. no rotation of the program's teams with that specialty
  including the day, inside the days the department should be covered (its
  twinnings' and its program's dates; the same sweep and window as the
  program page's coverage, aidtracker/lib/spans.py). With it, the rotations
  of that specialty on site from today that end before that day. Remote-
  support programs are judged by their consultations, not by experts on
  site: they have no coverage gaps.
- **When each record kind was last logged**: the latest date, not after
  today, of the kind's records (a rotation's start, a surgery's date, a
  training's start, a technique's introduction, a referral's or
  consultation's date, an indicator's month) among the records of the
  programs (rotations of their teams; the other kinds at their recipient
  hospitals, as accounts/scope.py assigns records to a coordinator). A
  rotation or training planned for later is not yet work logged: it would
  hide for months that nothing has been logged since.
- **A department uncovered today**: a twinned department (as above) that
  should be covered today (a twinning of it and its program running today)
  and has nobody of its specialty on site today. It is uncovered *since* the
  day after the last day someone of its specialty was on site (a rotation of
  the program's teams), or since the department's start (its earliest
  running twinning's start, not before its program's) when nobody was on site
  since then. Remote-support programs have none, as above.
- **A silent month**: one of the last SILENT_MONTHS full months in which a
  rotation of one of the program's teams was on site and no surgery and no
  training (by its start) was logged at the program's recipient hospital.

Each function costs a fixed number of queries, whatever the data.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncMonth

from aidtracker.lib.spans import ONE_DAY, Span, covered_and_gaps, department_window
from deployments.models import Program, Rotation, Twinning
from outcomes.models import Consultation, IndicatorValue, Referral, Surgery, Technique, Training

HORIZON_DAYS = 90
SILENT_MONTHS = 12


@dataclass
class GapAhead:
    program: Program
    specialty: object
    day: dt.date  # the first day with nobody of the specialty on site
    ending: list = field(default_factory=list)  # rotations (values) that end before it, by end


@dataclass
class LastLogged:
    kind: str  # the model's label_lower
    label: str  # its plural name, in the active language
    last: dt.date | None


@dataclass
class Uncovered:
    program: Program
    specialty: object
    since: dt.date  # the first day with nobody of the specialty on site
    last_on_site: dt.date | None  # the last day someone was, if since the department's start
    days: int  # days uncovered, today included


@dataclass
class SilentMonths:
    program: Program
    months: list  # first days of the months, oldest first


def _programs(programs):
    return Program.objects.filter(code__in=[getattr(p, "code", p) for p in programs]).select_related(
        "recipient_hospital"
    )


def coverage_gaps_ahead(programs, today, days=HORIZON_DAYS) -> list:
    """A GapAhead per twinned department of `programs` (Program objects or
    codes) that has a day within `days` days from `today` with nobody of its
    specialty on site; ordered by that day. Two queries."""
    horizon = Span(today, today + dt.timedelta(days=days - 1))
    twinnings = list(
        Twinning.objects.filter(program__in=[getattr(p, "code", p) for p in programs])
        .exclude(program__kind=Program.Kind.REMOTE_SUPPORT)
        .filter(start_date__lte=horizon.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=horizon.start))
        .select_related("program", "specialty")
        .order_by("program_id", "specialty_id")
    )
    if not twinnings:
        return []
    rotations = list(
        Rotation.objects.filter(team__program__in={t.program_id for t in twinnings})
        .filter(start_date__lte=horizon.end, end_date__gte=horizon.start)
        .values("team__program_id", "team_id", "specialty_id", "person__name", "start_date", "end_date")
        .order_by("end_date", "person__name")
    )
    departments = {}
    for twinning in twinnings:
        departments.setdefault((twinning.program_id, twinning.specialty_id), []).append(twinning)
    gaps = []
    for (program_id, specialty_id), dept in departments.items():
        program = dept[0].program
        window = department_window(program, dept, end=horizon.end, start=horizon.start)
        if window is None:
            continue
        own = [
            r for r in rotations if r["team__program_id"] == program_id and r["specialty_id"] == specialty_id
        ]
        _covered, holes = covered_and_gaps([(r["start_date"], r["end_date"]) for r in own], window)
        if not holes:
            continue
        day = holes[0].start
        ending = [r for r in own if window.start - ONE_DAY <= r["end_date"] < day]
        gaps.append(GapAhead(program, dept[0].specialty, day, ending))
    gaps.sort(key=lambda g: (g.day, g.program.code, g.specialty.code))
    return gaps


def uncovered_today(programs, today) -> list:
    """An Uncovered per twinned department of `programs` (Program objects or
    codes) that should be covered `today` and has nobody of its specialty on
    site; longest uncovered first. Two queries."""
    twinnings = list(
        Twinning.objects.filter(program__in=[getattr(p, "code", p) for p in programs])
        .exclude(program__kind=Program.Kind.REMOTE_SUPPORT)
        .filter(start_date__lte=today, program__start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(Q(program__end_date__isnull=True) | Q(program__end_date__gte=today))
        .select_related("program", "specialty")
        .order_by("program_id", "specialty_id")
    )
    if not twinnings:
        return []
    # Per (program, specialty): rotations on site today, and the last day on
    # site before today.
    rotations = {
        (r["team__program_id"], r["specialty_id"]): r
        for r in Rotation.objects.filter(team__program__in={t.program_id for t in twinnings}, start_date__lte=today)
        .values("team__program_id", "specialty_id")
        .annotate(now=Count("pk", filter=Q(end_date__gte=today)), last=Max("end_date"))
        .order_by()
    }
    departments = {}
    for twinning in twinnings:
        departments.setdefault((twinning.program_id, twinning.specialty_id), []).append(twinning)
    found = []
    for key, dept in departments.items():
        program = dept[0].program
        start = max(program.start_date, min(t.start_date for t in dept))
        seen = rotations.get(key)
        if seen and seen["now"]:
            continue
        last = seen["last"] if seen and seen["last"] >= start else None
        since = last + ONE_DAY if last else start
        found.append(Uncovered(program, dept[0].specialty, since, last, (today - since).days + 1))
    found.sort(key=lambda u: (u.since, u.program.code, u.specialty.code))
    return found


# (model, date field, filter of its records at the recipient hospitals `h` or of the programs `p`)
LOGGED_KINDS = (
    (Rotation, "start_date", lambda p, h: Q(team__program__in=p)),
    (Surgery, "date", lambda p, h: Q(hospital__in=h)),
    (Training, "start_date", lambda p, h: Q(trainee__hospital__in=h)),
    (Technique, "introduced_on", lambda p, h: Q(hospital__in=h)),
    (Referral, "date", lambda p, h: Q(origin_hospital__in=h) | Q(destination_hospital__in=h)),
    (Consultation, "date", lambda p, h: Q(requesting_hospital__in=h)),
    (IndicatorValue, "period", lambda p, h: Q(hospital__in=h)),
)


def last_logged(programs, today) -> list:
    """A LastLogged per record kind (in LOGGED_KINDS' order) for `programs`
    (Program objects with their recipient hospital): its latest date on or
    before `today`. One query per kind."""
    codes = [p.code for p in programs]
    hospitals = {p.recipient_hospital_id for p in programs}
    found = []
    for model, date_field, scope in LOGGED_KINDS:
        last = (
            model.objects.filter(scope(codes, hospitals), **{f"{date_field}__lte": today})
            .aggregate(last=Max(date_field))["last"]
        )
        found.append(LastLogged(model._meta.label_lower, str(model._meta.verbose_name_plural), last))
    return found


def _month_starts(first, last):
    months, month = [], first
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def silent_months(programs, today, months=SILENT_MONTHS) -> list:
    """A SilentMonths per program of `programs` (Program objects with their
    recipient hospital) that has any among the last `months` full months
    before `today`'s. Three queries."""
    last = (today.replace(day=1) - ONE_DAY).replace(day=1)
    first = last
    for _ in range(months - 1):
        first = (first - ONE_DAY).replace(day=1)
    end = today.replace(day=1) - ONE_DAY
    codes = [p.code for p in programs]
    hospitals = {p.recipient_hospital_id for p in programs}
    on_site = Rotation.objects.filter(
        team__program__in=codes, start_date__lte=end, end_date__gte=first
    ).values_list("team__program_id", "start_date", "end_date")
    logged = set()  # (hospital, month) with a surgery or a training
    for model, date_field, hospital_path in (
        (Surgery, "date", "hospital"),
        (Training, "start_date", "trainee__hospital"),
    ):
        logged |= set(
            model.objects.filter(**{f"{hospital_path}__in": hospitals, f"{date_field}__range": (first, end)})
            .annotate(month=TruncMonth(date_field))
            .values_list(hospital_path, "month")
            .distinct()
        )
    present = {}
    for program_id, start, stop in on_site:
        for month in _month_starts(max(first, start.replace(day=1)), min(last, stop)):
            present.setdefault(program_id, set()).add(month)
    found = []
    for program in programs:
        quiet = sorted(
            month for month in present.get(program.code, ())
            if (program.recipient_hospital_id, month) not in logged
        )
        if quiet:
            found.append(SilentMonths(program, quiet))
    return found
