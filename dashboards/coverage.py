"""Coverage of twinned departments by rotating experts, and its gaps.

A department (the program's recipient hospital + a specialty) is *covered*
on a day when at least one rotation of the program's teams with that
specialty includes the day. Its window runs from the start of its twinning
(never before the program's start) to the earliest of the twinning's end,
the program's end and today. A *gap* is a run of uncovered days in the
window, both ends counted.

Where it is computed: the rotations' days are merged per program and
specialty in SQL (RotationQuerySet.covered_spans: gaps and islands with
window functions, the same SQL on SQLite and PostgreSQL), so the page reads
one row per covered span, bounded by the gaps and not by the rotations (the
busiest program at 10M surgeries has 51,294); the spans are clipped to each
department's window here (aidtracker/lib/spans.py), one meaning of a gap
for the program page, the hospital page and the worklist. The page's query
count stays fixed.
"""

import datetime as dt
from dataclasses import dataclass, field

from aidtracker.lib.spans import Span, covered_and_gaps, department_window  # noqa: F401 (dashboards.donors, tests)


@dataclass
class DepartmentCoverage:
    specialty: object
    twinnings: list
    window: Span | None
    covered: list = field(default_factory=list)  # merged intervals inside the window
    gaps: list = field(default_factory=list)
    on_site_today: list = field(default_factory=list)  # at most the first few, set by the program page
    on_site_count: int = 0

    @property
    def on_site_more(self) -> int:
        return self.on_site_count - len(self.on_site_today)

    @property
    def gap_days(self) -> int:
        return sum(g.days for g in self.gaps)

    @property
    def covered_days(self) -> int:
        return sum(c.days for c in self.covered)

    @property
    def coverage_share(self):
        if not self.window:
            return None
        return self.covered_days / self.window.days


def spans_by_program(rows) -> dict:
    """{program: {specialty: [(first, last), ...]}} from the rows of
    RotationQuerySet.covered_spans()."""
    spans = {}
    for program, specialty, first, last, _rotations in rows:
        spans.setdefault(program, {}).setdefault(specialty, []).append((first, last))
    return spans


def program_coverage(program, twinnings, spans, today):
    """One DepartmentCoverage per twinned specialty of `program`, in the
    order of `twinnings`; `spans` are the days the program's rotations cover,
    {specialty: [(first, last), ...]} (spans_by_program(...)[program], or
    any intervals: they are clipped and merged again within each window)."""
    by_specialty = {}
    for twinning in twinnings:
        by_specialty.setdefault(twinning.specialty_id, []).append(twinning)
    departments = []
    for specialty_id, dept_twinnings in by_specialty.items():
        window = department_window(program, dept_twinnings, end=today)
        dept = DepartmentCoverage(specialty=dept_twinnings[0].specialty, twinnings=dept_twinnings, window=window)
        if window:
            dept.covered, dept.gaps = covered_and_gaps(spans.get(specialty_id, []), window)
        departments.append(dept)
    return departments


# Geometry of the SVG timeline (drawn server-side: no script, no inline style).
TIMELINE_LABEL_WIDTH = 220
TIMELINE_BAR_WIDTH = 760
TIMELINE_ROW_HEIGHT = 34


def timeline(departments):
    """Rows of rectangles (x, width in SVG units) for each department, and
    the year ticks of the common axis; None when no department has a window."""
    windows = [d.window for d in departments if d.window]
    if not windows:
        return None
    axis = Span(min(w.start for w in windows), max(w.end for w in windows))
    scale = TIMELINE_BAR_WIDTH / axis.days

    def rect(span):
        x = TIMELINE_LABEL_WIDTH + (span.start - axis.start).days * scale
        return {"x": round(x, 2), "width": round(max(span.days * scale, 0.8), 2), "span": span}

    rows = []
    for i, dept in enumerate(departments):
        y = 30 + i * TIMELINE_ROW_HEIGHT
        rows.append({
            "dept": dept,
            "y": y,
            "bar_y": y + 4,
            "text_y": y + 19,
            "window": rect(dept.window) if dept.window else None,
            "covered": [rect(s) for s in dept.covered],
            "gaps": [rect(s) for s in dept.gaps],
        })
    ticks = []
    for year in range(axis.start.year + 1, axis.end.year + 1):
        x = TIMELINE_LABEL_WIDTH + (dt.date(year, 1, 1) - axis.start).days * scale
        ticks.append({"x": round(x, 2), "label": year})
    # Too many years to label legibly: keep every n-th.
    step = max(1, len(ticks) // 12 + (1 if len(ticks) % 12 else 0)) if len(ticks) > 12 else 1
    ticks = ticks[::step]
    height = 30 + len(rows) * TIMELINE_ROW_HEIGHT + 10
    return {
        "axis": axis,
        "rows": rows,
        "ticks": ticks,
        "height": height,
        "width": TIMELINE_LABEL_WIDTH + TIMELINE_BAR_WIDTH + 20,
        "bar_end": TIMELINE_LABEL_WIDTH + TIMELINE_BAR_WIDTH,
        "label_x": TIMELINE_LABEL_WIDTH - 10,
        "tick_y2": height - 6,
    }
