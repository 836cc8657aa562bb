"""Coverage gaps of twinned departments, on a hand-made timeline."""

import datetime as dt
from types import SimpleNamespace

import pytest

from dashboards.coverage import Span, covered_and_gaps, program_coverage

D = dt.date


def spans_of(items):
    return [(s.start, s.end) for s in items]


def test_touching_rotations_leave_no_gap_and_overlaps_merge():
    window = Span(D(2024, 1, 1), D(2024, 12, 31))
    covered, gaps = covered_and_gaps(
        [
            (D(2024, 1, 1), D(2024, 3, 31)),
            (D(2024, 4, 1), D(2024, 5, 31)),  # starts the day after: no gap
            (D(2024, 5, 1), D(2024, 6, 15)),  # overlaps the previous one
            (D(2024, 6, 17), D(2024, 6, 30)),  # one day missing: 2024-06-16
            (D(2024, 9, 1), D(2025, 3, 1)),  # runs past the window
        ],
        window,
    )
    assert spans_of(covered) == [
        (D(2024, 1, 1), D(2024, 6, 15)),
        (D(2024, 6, 17), D(2024, 6, 30)),
        (D(2024, 9, 1), D(2024, 12, 31)),
    ]
    assert spans_of(gaps) == [(D(2024, 6, 16), D(2024, 6, 16)), (D(2024, 7, 1), D(2024, 8, 31))]
    assert gaps[0].days == 1 and gaps[1].days == 62
    assert sum(c.days for c in covered) + sum(g.days for g in gaps) == window.days


def test_gaps_at_both_ends_and_rotations_outside_the_window_are_ignored():
    window = Span(D(2024, 3, 1), D(2024, 3, 31))
    covered, gaps = covered_and_gaps(
        [(D(2023, 1, 1), D(2024, 2, 29)), (D(2024, 3, 10), D(2024, 3, 20)), (D(2024, 4, 1), D(2024, 5, 1))],
        window,
    )
    assert spans_of(covered) == [(D(2024, 3, 10), D(2024, 3, 20))]
    assert spans_of(gaps) == [(D(2024, 3, 1), D(2024, 3, 9)), (D(2024, 3, 21), D(2024, 3, 31))]


def test_no_rotation_is_one_gap_over_the_whole_window():
    window = Span(D(2024, 1, 1), D(2024, 1, 10))
    assert covered_and_gaps([], window) == ([], [Span(D(2024, 1, 1), D(2024, 1, 10))])


def test_department_window_runs_from_twinning_start_to_today_and_counts_only_its_specialty():
    program = SimpleNamespace(start_date=D(2020, 1, 1), end_date=None)
    twinning = SimpleNamespace(specialty_id="orthopedics", specialty="Orthopaedics",
                               start_date=D(2024, 1, 1), end_date=None)

    spans = {
        "orthopedics": [(D(2024, 1, 1), D(2024, 1, 31)), (D(2024, 3, 1), D(2024, 3, 20))],
        "general_surgery": [(D(2024, 2, 1), D(2024, 2, 29))],  # another specialty
    }
    [dept] = program_coverage(program, [twinning], spans, today=D(2024, 3, 10))
    assert (dept.window.start, dept.window.end) == (D(2024, 1, 1), D(2024, 3, 10))
    assert spans_of(dept.gaps) == [(D(2024, 2, 1), D(2024, 2, 29))]
    assert dept.gap_days == 29
    assert dept.coverage_share == pytest.approx((31 + 10) / 70)


def test_ended_program_bounds_the_window():
    program = SimpleNamespace(start_date=D(2020, 1, 1), end_date=D(2020, 1, 31))
    twinning = SimpleNamespace(specialty_id="x", specialty="X", start_date=D(2019, 1, 1), end_date=None)
    [dept] = program_coverage(program, [twinning], {}, today=D(2024, 1, 1))
    assert (dept.window.start, dept.window.end) == (D(2020, 1, 1), D(2020, 1, 31))
    assert dept.gap_days == 31
