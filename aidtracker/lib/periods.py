"""Periods, months and the two date tests that every figure uses.

A *period* has optional, inclusive bounds. A dated row lies *within* it when
its date is between the bounds; a date range *overlaps* it when it starts on
or before the period's end and ends (or is ongoing, end empty) on or after
the period's start (interchange spec, section 5).

The month arithmetic of every page, figure, rollup and generator lives here
too: a month is named by its first day.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import DateField, Func, Q


def month_start(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of the month of `day` (December 9999 included)."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, n: int) -> date:
    """The same day of the month `n` months later (or earlier); the day must
    exist in that month (use first days). OverflowError past the calendar's
    edges (years 1 and 9999), as date arithmetic."""
    index = day.year * 12 + day.month - 1 + n
    if not date.min.year <= index // 12 <= date.max.year:
        raise OverflowError(f"{n:+d} months from {day.isoformat()} leaves the calendar.")
    return day.replace(year=index // 12, month=index % 12 + 1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from `first`'s to `last`'s, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        if month.year == date.max.year and month.month == 12:
            break  # the calendar's last month
        month = add_months(month, 1)
    return months


def month_key(value) -> str:
    """'YYYY-MM' of a date, a datetime or ISO text."""
    return str(value)[:7]


def as_date(value) -> date:
    """A date from a date, a datetime or ISO text (SQLite returns dates as text
    where an expression computed them)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None

    def __post_init__(self):
        if self.start and self.end and self.start > self.end:
            raise ValueError("A period's start must not be after its end.")

    def as_dict(self) -> dict:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }

    @property
    def closed(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def of_whole_months(self) -> bool:
        """Whether each bound is open or a month's edge (a month's first day as
        start, its last day as end): monthly rollups answer such periods."""
        return (self.start is None or self.start.day == 1) and (
            self.end is None or self.end == month_end(self.end)
        )

    @property
    def is_calendar_year(self) -> bool:
        """Whether the period is one calendar year, 1 January to 31 December."""
        return (
            self.closed and self.start.year == self.end.year
            and (self.start.month, self.start.day) == (1, 1) and (self.end.month, self.end.day) == (12, 31)
        )

    def previous(self) -> "Period | None":
        """The comparable period just before this one, or None for an open
        period (all time, or a missing bound): nothing compares with it.

        A calendar year: the year before. A period of whole months (a
        month's first day to a month's last day): the same number of months
        just before (April–June: January–March; 2024: 2023). Any other
        period: the same number of days just before (1–10 March: 20–29
        February in a leap year). None when that would leave the calendar."""
        if not self.closed:
            return None
        try:
            if self.start.day == 1 and self.end == month_end(self.end):
                n = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
                start = add_months(self.start, -n)
                return Period(start, self.start - timedelta(days=1))
            length = self.end - self.start + timedelta(days=1)
            return Period(self.start - length, self.start - timedelta(days=1))
        except OverflowError:
            return None

    def label(self) -> str:
        """A short name for the period, the same in every language (it fits
        a card's line): "2024" for a calendar year, "2024-04" for one month,
        "2024-04–06" for whole months of one year ("2023-11–2024-02"
        across years), else the days ("2024-03-01–10", "2024-01-15–02-14",
        "2023-12-20–2024-01-05"; one day alone); "…" for an open bound."""
        start, end = self.start, self.end
        if not self.closed:
            return f"{start.isoformat() if start else '…'} – {end.isoformat() if end else '…'}"
        if self.is_calendar_year:
            return str(start.year)
        if self.of_whole_months:
            if (start.year, start.month) == (end.year, end.month):
                return month_key(start)
            return f"{month_key(start)}–{end.month:02d}" if start.year == end.year else f"{month_key(start)}–{month_key(end)}"
        if start == end:
            return start.isoformat()
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.isoformat()}–{end.day:02d}"
        return f"{start.isoformat()}–{end:%m-%d}" if start.year == end.year else f"{start.isoformat()}–{end.isoformat()}"

    def months(self) -> list[date]:
        """First days of the months a closed period touches, in order."""
        return months_between(self.start, self.end)

    def grouping(self, today: date | None = None) -> str:
        """How a chart of this period groups it, the one rule of every
        dashboard: by YEAR for "all time" (an open start), by MONTH for a
        period up to three years long (1 January 2022 to 31 December 2024
        still is; a day more is not), by QUARTER for one up to ten years
        long, by YEAR for a longer one. An open end lasts to `today`
        (default: the system's date)."""
        if self.start is None:
            return YEAR
        end = self.end or today or date.today()
        for years, grouping in ((3, MONTH), (10, QUARTER)):
            try:
                if end < years_later(self.start, years):
                    return grouping
            except (ValueError, OverflowError):
                return grouping  # the calendar ends first
        return YEAR

    def groups(self, grouping: str, today: date | None = None) -> list["Group"]:
        """The months, quarters or years (`grouping`) a closed period
        touches, in order, each clipped to the period. A group is partial
        when the period cuts it (starts after its first day or ends before
        its last) or when it has not ended by `today` (default: the
        system's date); its data then reach `through`: the earlier of its
        clipped end and today."""
        today = today or date.today()
        result = []
        first = group_start(self.start, grouping)
        while first <= self.end:
            step = {MONTH: 1, QUARTER: 3, YEAR: 12}[grouping]
            try:
                following = add_months(first, step)
                last = following - timedelta(days=1)
            except OverflowError:
                following, last = None, date.max
            start, end = max(first, self.start), min(last, self.end)
            through = min(end, today)
            result.append(Group(
                label=group_label(first, grouping),
                start=start,
                end=end,
                months=tuple(months_between(start, end)),
                partial=start > first or through < last,
                through=through,
                cut_start=start > first,
            ))
            if following is None:
                break
            first = following
        return result

    def split(self) -> tuple["Period | None", list["Period"]]:
        """(the whole months of the period as a Period of month first days, or
        None when it holds none; the partial months at its edges, as up to two
        Periods of days). Together they cover the period's days exactly once:
        monthly rollups answer the first, the rows themselves the rest."""
        start, end = self.start, self.end
        try:
            first = None if start is None else (start if start.day == 1 else add_months(month_start(start), 1))
            last = None
            if end is not None:
                last = month_start(end) if end == month_end(end) else add_months(month_start(end), -1)
        except OverflowError:
            return None, [self]  # a partial month at the calendar's edge: no whole month
        if first is not None and last is not None and first > last:
            return None, [self]  # no whole month: at most two partial ones
        rest = []
        if start is not None and start < first:
            rest.append(Period(start, first - timedelta(days=1)))
        if end is not None and end > month_end(last):
            rest.append(Period(month_end(last) + timedelta(days=1), end))
        return Period(first, last), rest


# How a chart groups its period's days (Period.grouping).
MONTH, QUARTER, YEAR = "month", "quarter", "year"
GROUPINGS = (MONTH, QUARTER, YEAR)


def years_later(day: date, n: int) -> date:
    """The same day `n` years later; 29 February becomes 1 March in a year
    without one."""
    try:
        return day.replace(year=day.year + n)
    except ValueError:
        return date(day.year + n, 3, 1)


#: A chart or table by year shows at most the years from YEARS_SHOWN before
#: today's to the year after it: the aid the product records began in the
#: 1990s, and the years around hold none (a period typed from 0001-01-01
#: would otherwise list two thousand empty years).
YEARS_SHOWN = 50


def shown_years(start: date, end: date, today: date) -> tuple[date, date]:
    """(start, end) of a period shown by year, kept to the years YEARS_SHOWN
    says, or to one year of the period when it lies wholly outside them;
    the days kept lie inside the period."""
    try:
        low, high = date(today.year - YEARS_SHOWN + 1, 1, 1), date(today.year + 1, 12, 31)
    except ValueError:
        return start, end  # today at the calendar's edge
    if end < low:
        return max(start, date(end.year, 1, 1)), end
    if start > high:
        return start, min(end, date(start.year, 12, 31))
    return max(start, low), min(end, high)


def group_start(day: date, grouping: str) -> date:
    """The first day of the month, quarter or year (`grouping`) of `day`."""
    if grouping == YEAR:
        return date(day.year, 1, 1)
    if grouping == QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return month_start(day)


def group_label(day: date, grouping: str) -> str:
    """The name of the group of `day`, the same in every language: "2024-03"
    for a month, "2024-Q1" for a quarter, "2024" for a year."""
    if grouping == YEAR:
        return str(day.year)
    if grouping == QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return month_key(day)


@dataclass(frozen=True)
class Group:
    """One point of a chart: a month, quarter or year (`label`) clipped to
    the charted period (`start`, `end`), its first days of months
    (`months`, to sum monthly counts over), and whether it is partial: cut
    by the period's start (`cut_start`) or end, or not over yet on `today`
    (its data reach `through`, the last day counted: the group's end or
    today)."""

    label: str
    start: date
    end: date
    months: tuple
    partial: bool
    through: date
    cut_start: bool = False

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "partial": self.partial,
            "through": self.through.isoformat(),
            "cut_start": self.cut_start,
        }


ALWAYS = Period()


def clip(period: Period, within: Period) -> Period | None:
    """The days `period` shares with `within` (open bounds allowed), or None."""
    start = max((d for d in (period.start, within.start) if d is not None), default=None)
    end = min((d for d in (period.end, within.end) if d is not None), default=None)
    if start is not None and end is not None and start > end:
        return None
    return Period(start, end)


def merged(periods) -> list[Period]:
    """The union of `periods` as the fewest periods, in order: overlapping or
    touching ones (one ends the day before the next starts) become one."""
    def begins(period):
        return date.min if period.start is None else period.start

    result = []
    for period in sorted(periods, key=begins):
        last = result[-1] if result else None
        if last is not None and (last.end is None or begins(period) <= last.end + timedelta(days=1)):
            end = None if last.end is None or period.end is None else max(last.end, period.end)
            result[-1] = Period(last.start, end)
        else:
            result.append(period)
    return result


def within_q(period: Period, field: str) -> Q:
    """Q for rows whose `field` date lies within the period, both ends counted."""
    q = Q()
    if period.start:
        q &= Q(**{f"{field}__gte": period.start})
    if period.end:
        q &= Q(**{f"{field}__lte": period.end})
    return q


def within_any_q(periods, field: str) -> Q:
    """Q for rows whose `field` date lies within any of `periods` (none: no row)."""
    q = Q(pk__in=[])
    for period in periods:
        q |= within_q(period, field)
    return q


def overlaps_q(period: Period, start_field: str = "start_date", end_field: str = "end_date") -> Q:
    """Q for rows whose [start, end] range overlaps the period; an empty end is ongoing."""
    q = Q()
    if period.end:
        q &= Q(**{f"{start_field}__lte": period.end})
    if period.start:
        q &= Q(**{f"{end_field}__gte": period.start}) | Q(**{f"{end_field}__isnull": True})
    return q


def month_spans_overlapping_q(period: Period, first: str = "first_month", last: str = "last_month") -> Q:
    """Q for the rows of a span rollup (a first and a last month, as month
    first days) whose months overlap the period: the first month not after
    the period's last month, the last month not before its first day."""
    q = Q()
    if period.end is not None:
        q &= Q(**{f"{first}__lte": month_start(period.end)})
    if period.start is not None:
        q &= Q(**{f"{last}__gte": period.start})
    return q


def month_of_sql(vendor: str, column: str) -> str:
    """SQL for the first day of the month of the date `column`, for
    statements that run with parameters (a literal % is written %%)."""
    if vendor == "postgresql":
        return f"CAST(DATE_TRUNC('month', CAST({column} AS timestamp)) AS date)"
    return f"strftime('%%Y-%%m-01', {column})"


class MonthOf(Func):
    """The first day of a date's month, as a date. Django's TruncMonth of a
    date makes PostgreSQL truncate a timestamp *with* time zone (a time-zone
    lookup per row over hundreds of thousands of surgeries); a date needs
    none."""

    output_field = DateField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return month_of_sql(connection.vendor, column), params
