"""Coverage of twinned departments by rotating experts, and its gaps.

A department (the program's recipient hospital + a specialty) is *covered*
on a day when at least one rotation of the program's teams with that
specialty includes the day. Its window runs from the start of its twinning
(never before the program's start) to the earliest of the twinning's end,
the program's end and today. A *gap* is a run of uncovered days in the
window, both ends counted.

Why Python and not SQL window functions: the input is one program's
rotations, read once by the program page as plain values (specialty and
dates: a long program has thousands, bounded by the program's teams, not by
the size of the database). A sweep over those sorted intervals is exact,
portable between SQLite and PostgreSQL, and easy to test; the page's query
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
    on_site_today: list = field(default_factory=list)
    rotations: list = field(default_factory=list)

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


def program_coverage(program, twinnings, rotations, today):
    """One DepartmentCoverage per twinned specialty of `program`, in the
    order of `twinnings`; `rotations` are the program's rotations, any
    objects with `specialty_id`, `start_date` and `end_date` (rows of
    values_list(named=True) on the program page)."""
    by_specialty = {}
    for twinning in twinnings:
        by_specialty.setdefault(twinning.specialty_id, []).append(twinning)
    departments = []
    for specialty_id, dept_twinnings in by_specialty.items():
        dept_rotations = [r for r in rotations if r.specialty_id == specialty_id]
        window = department_window(program, dept_twinnings, end=today)
        dept = DepartmentCoverage(
            specialty=dept_twinnings[0].specialty,
            twinnings=dept_twinnings,
            window=window,
            rotations=dept_rotations,
            on_site_today=[r for r in dept_rotations if r.start_date <= today <= r.end_date],
        )
        if window:
            dept.covered, dept.gaps = covered_and_gaps(
                [(r.start_date, r.end_date) for r in dept_rotations], window
            )
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
