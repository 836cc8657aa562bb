"""Inclusive spans of days, and which days of a window they cover.

Used by the coverage of twinned departments (dashboards/coverage.py, the
program page) and by the coverage gaps ahead (figures/worklist.py, the
coordinator's worklist and digest): one sweep, one meaning of a gap.
"""

import datetime as dt
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


@dataclass
class Span:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def department_window(program, twinnings, end: dt.date, start: dt.date | None = None):
    """The days a twinned department (the `twinnings` of one specialty of
    `program`) should be covered, up to `end` (and from `start` when given):
    from the program's and its first twinning's start to the program's end
    and its last twinning's end (open while one is open). None if no day."""
    first = max(program.start_date, min(t.start_date for t in twinnings))
    if start is not None:
        first = max(first, start)
    ends = [end]
    if program.end_date:
        ends.append(program.end_date)
    if all(t.end_date for t in twinnings):
        ends.append(max(t.end_date for t in twinnings))
    last = min(ends)
    return Span(first, last) if first <= last else None


def covered_and_gaps(intervals, window: Span):
    """(merged covered spans, gap spans) of `intervals` [(start, end), ...]
    inside `window`; every bound is inclusive, and touching intervals
    (one ends the day before the next starts) leave no gap."""
    clipped = sorted(
        (max(start, window.start), min(end, window.end))
        for start, end in intervals
        if start <= window.end and end >= window.start
    )
    covered = []
    for start, end in clipped:
        if covered and start <= covered[-1].end + ONE_DAY:
            covered[-1].end = max(covered[-1].end, end)
        else:
            covered.append(Span(start, end))
    gaps, cursor = [], window.start
    for span in covered:
        if span.start > cursor:
            gaps.append(Span(cursor, span.start - ONE_DAY))
        cursor = span.end + ONE_DAY
    if cursor <= window.end:
        gaps.append(Span(cursor, window.end))
    return covered, gaps
