"""Data completeness in DHIS2's terms (reporting rates), per recipient
hospital and month, and the open quality warnings. The definitions of the
completeness pages of a region and of a program (dashboards/completeness.py)
and of their CSV, once (docs/figures.md, "Data completeness").

For each recipient hospital (the recipient hospital of a program) and each
month from the month its first program began (of all its programs) to the
last full month before today:

- **expected** indicator reports: the number of indicators the hospital has
  ever reported (any month), or all seven of the contract's code list when it
  has reported none;
- **actual** reports: the indicator values the hospital reported for that
  month (one per indicator: the table allows no more);
- the **rate**: 100 × actual / expected, to one decimal;
- **surgeries** logged in that month at the hospital (by the surgery's date)
  and **trainings** of the hospital's staff that began in it (by the
  training's start, as the worklist's months not logged count them).

Over several months (a hospital's row, all hospitals' month) the rate is
the sum of actual over the sum of expected, as DHIS2 sums them.

The quality warnings are the models' rules (deployments.models,
outcomes.models.surgeries), as queryset filters: a surgery whose team was not
in the field that day, a surgery whose team belongs to another recipient
hospital's program, a rotation outside its team's dates. The import checks
the same rules in SQL (interchange/quality.py) and the forms as the records'
methods. "Open": true of the records as they are now; listed for the months
shown.

Each function costs a fixed number of queries, whatever the number of
hospitals, months or records.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, Sum, Window

from aidtracker.lib.periods import MonthOf, add_months, as_date, month_start, months_between
from deployments.models import Rotation
from hospitals.models import Hospital
from outcomes.models import IndicatorValue, Surgery, SurgeryMonth, Training

#: The contract's indicators (interchange spec, indicators.csv): expected of a
#: hospital that has reported none.
ALL_INDICATORS = len(IndicatorValue.Indicator.choices)

#: The rate bands of the grid: (lowest rate in the band, its name), highest first.
BANDS = ((100, "complete"), (50, "partial"), (0.1, "low"), (0, "none"))

#: Warnings listed per kind (the count says how many there are in all).
WARNINGS_LISTED = 50


def rate(actual, expected):
    """100 × actual / expected to one decimal; None when nothing is expected."""
    return round(100 * actual / expected, 1) if expected else None


def band(value):
    """The name of the band (BANDS) of the rate `value`; None for no rate."""
    if value is None:
        return None
    return next(name for lowest, name in BANDS if value >= lowest)


def last_full_month(today):
    """The first day of the month before `today`'s."""
    return add_months(month_start(today), -1)


@dataclass
class Cell:
    month: dt.date
    expected: int
    actual: int
    surgeries: int
    trainings: int

    @property
    def rate(self):
        return rate(self.actual, self.expected)

    @property
    def band(self):
        return band(self.rate)


@dataclass
class HospitalRow:
    hospital: Hospital
    first_month: dt.date  # the month its first program began
    expected: int  # expected reports per month
    cells: list = field(default_factory=list)  # a Cell per month asked for, None before first_month

    @property
    def expected_total(self):
        return sum(c.expected for c in self.cells if c)

    @property
    def actual_total(self):
        return sum(c.actual for c in self.cells if c)

    @property
    def rate(self):
        return rate(self.actual_total, self.expected_total)

    @property
    def band(self):
        return band(self.rate)


def recipient_hospitals(programs):
    """The recipient hospitals of `programs` (a Program queryset), each with
    `first_start`: the start of its first program, of all its programs."""
    return (
        Hospital.objects.filter(pk__in=programs.values("recipient_hospital"))
        .annotate(first_start=Min("programs__start_date"))
        .order_by("name", "code")
    )


def span(hospitals, today):
    """(first month, last month) of the completeness of `hospitals` (from
    recipient_hospitals): from the earliest first program's month to the
    last full month; None when there is no such month."""
    last = last_full_month(today)
    starts = [month_start(h.first_start) for h in hospitals if h.first_start]
    if not starts or min(starts) > last:
        return None
    return min(starts), last


def completeness(hospitals, months, today) -> list:
    """A HospitalRow per hospital of `hospitals` (from recipient_hospitals,
    evaluated), with a Cell per month of `months` (first days, in order) that
    lies within its span (its first program's month to the last full month
    before `today`). Four queries."""
    hospitals = list(hospitals)
    if not hospitals or not months:
        return [HospitalRow(h, month_start(h.first_start), ALL_INDICATORS) for h in hospitals]
    ids = [h.pk for h in hospitals]
    first, last = months[0], min(months[-1], last_full_month(today))
    ever = dict(
        IndicatorValue.objects.filter(hospital__in=ids)
        .values("hospital").annotate(n=Count("indicator", distinct=True))
        .values_list("hospital", "n").order_by()
    )
    actual = _per_month(IndicatorValue.objects.filter(hospital__in=ids, period__range=(first, last)),
                        "hospital", "period")
    # Whole months: the monthly rollup, which every write keeps exact
    # (outcomes/rollups.py), is a few rows where the surgeries are millions.
    surgeries = {
        (h, as_date(m)): n
        for h, m, n in SurgeryMonth.objects.filter(hospital__in=ids, month__range=(first, last))
        .values("hospital", "month").annotate(n=Sum("total")).values_list("hospital", "month", "n").order_by()
    }
    trainings = _per_month(
        Training.objects.filter(trainee__hospital__in=ids, start_date__range=(first, _end(last))),
        "trainee__hospital", "start_date",
    )
    rows = []
    for hospital in hospitals:
        start = month_start(hospital.first_start)
        row = HospitalRow(hospital, start, ever.get(hospital.pk) or ALL_INDICATORS)
        for month in months:
            if month < start or month > last:
                row.cells.append(None)
                continue
            key = (hospital.pk, month)
            row.cells.append(Cell(month, row.expected, actual.get(key, 0), surgeries.get(key, 0),
                                  trainings.get(key, 0)))
        rows.append(row)
    return rows


def month_totals(rows, months) -> list:
    """Per month of `months`: (expected, actual, rate) over the hospitals of `rows`."""
    totals = []
    for index, _month in enumerate(months):
        cells = [row.cells[index] for row in rows if row.cells and row.cells[index]]
        expected, actual = sum(c.expected for c in cells), sum(c.actual for c in cells)
        totals.append({"expected": expected, "actual": actual, "rate": rate(actual, expected),
                       "band": band(rate(actual, expected))})
    return totals


def _end(month):
    return add_months(month, 1) - dt.timedelta(days=1)


def _per_month(queryset, hospital, date_field) -> dict:
    """{(hospital, month): rows} of `queryset`, counted in the database."""
    return {
        (h, as_date(m)): n
        for h, m, n in queryset.order_by()
        .values(hospital, month=MonthOf(date_field))
        .annotate(n=Count("pk"))
        .values_list(hospital, "month", "n")
    }


def all_months(hospitals, today) -> list:
    """Every month of the span of `hospitals` (span)."""
    bounds = span(hospitals, today)
    return months_between(*bounds) if bounds else []


# --------------------------------------------------------------------------
# Open quality warnings


@dataclass
class Warnings:
    key: str  # "surgery_team_dates", "surgery_team_hospital", "rotation_team_dates"
    count: int
    rows: list  # the latest WARNINGS_LISTED records


def quality_warnings(programs, months, listed=WARNINGS_LISTED) -> list:
    """The open quality warnings of `programs` (a Program queryset) in
    `months` (first days, in order): surgeries dated in them at the programs'
    recipient hospitals or by their teams, rotations of their teams
    overlapping them; a Warnings per rule, each with its latest `listed`
    records. Three queries (each counts its rows in a window beside the page).

    Bounded by the months shown: the rules compare a surgery's date with its
    team's, which no index serves, so a query over all time reads every
    surgery of the region (a million rows: seconds); the months shown read
    their share through the (hospital, date) and date indexes."""
    if not months:
        return [Warnings(key, 0, []) for key in ("surgery_team_dates", "surgery_team_hospital", "rotation_team_dates")]
    first, last = months[0], _end(months[-1])
    surgeries = (
        Surgery.objects.filter(date__range=(first, last))
        .filter(Q(hospital__in=programs.values("recipient_hospital")) | Q(team__program__in=programs))
        .select_related("hospital", "team__program__recipient_hospital")
        .order_by("-date", "ref")
    )
    rotations = Rotation.objects.filter(
        team__program__in=programs, start_date__lte=last, end_date__gte=first
    ).select_related("team", "person").order_by("-start_date", "person__name")
    found = []
    for key, queryset in (
        ("surgery_team_dates", surgeries.outside_team_dates()),
        ("surgery_team_hospital", surgeries.team_of_other_hospital()),
        ("rotation_team_dates", rotations.outside_team_dates()),
    ):
        rows = list(queryset.annotate(found=Window(Count("pk")))[:listed])
        found.append(Warnings(key, rows[0].found if rows else 0, rows))
    return found
