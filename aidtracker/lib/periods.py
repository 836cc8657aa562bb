"""Periods and the two date tests that every figure uses.

A *period* has optional, inclusive bounds. A dated row lies *within* it when
its date is between the bounds; a date range *overlaps* it when it starts on
or before the period's end and ends (or is ongoing, end empty) on or after
the period's start (interchange spec, section 5).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q


def month_start(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of the month of `day`."""
    first = day.replace(day=1)
    return date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)


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


ALWAYS = Period()


def within_q(period: Period, field: str) -> Q:
    """Q for rows whose `field` date lies within the period, both ends counted."""
    q = Q()
    if period.start:
        q &= Q(**{f"{field}__gte": period.start})
    if period.end:
        q &= Q(**{f"{field}__lte": period.end})
    return q


def overlaps_q(period: Period, start_field: str = "start_date", end_field: str = "end_date") -> Q:
    """Q for rows whose [start, end] range overlaps the period; an empty end is ongoing."""
    q = Q()
    if period.end:
        q &= Q(**{f"{start_field}__lte": period.end})
    if period.start:
        q &= Q(**{f"{end_field}__gte": period.start}) | Q(**{f"{end_field}__isnull": True})
    return q
