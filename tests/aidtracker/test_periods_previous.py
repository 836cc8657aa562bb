"""Period.previous(): the comparable period just before, and Period.label()."""

from datetime import date

import pytest

from aidtracker.lib.periods import ALWAYS, Period


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        # A calendar year: the year before, leap year or not.
        ((date(2024, 1, 1), date(2024, 12, 31)), (date(2023, 1, 1), date(2023, 12, 31))),
        ((date(2025, 1, 1), date(2025, 12, 31)), (date(2024, 1, 1), date(2024, 12, 31))),
        # Whole months: the same number of months just before.
        ((date(2024, 4, 1), date(2024, 6, 30)), (date(2024, 1, 1), date(2024, 3, 31))),
        ((date(2024, 3, 1), date(2024, 3, 31)), (date(2024, 2, 1), date(2024, 2, 29))),
        ((date(2023, 3, 1), date(2023, 3, 31)), (date(2023, 2, 1), date(2023, 2, 28))),
        ((date(2024, 1, 1), date(2024, 2, 29)), (date(2023, 11, 1), date(2023, 12, 31))),
        # Two whole years from mid-year: the 24 months before.
        ((date(2023, 7, 1), date(2025, 6, 30)), (date(2021, 7, 1), date(2023, 6, 30))),
        # Other periods: the same number of days just before.
        ((date(2024, 3, 1), date(2024, 3, 10)), (date(2024, 2, 20), date(2024, 2, 29))),
        ((date(2023, 3, 1), date(2023, 3, 10)), (date(2023, 2, 19), date(2023, 2, 28))),
        ((date(2024, 1, 15), date(2024, 2, 14)), (date(2023, 12, 15), date(2024, 1, 14))),
        # A year from a day other than 1 January holding 29 February: 366 days before.
        ((date(2023, 3, 2), date(2024, 3, 1)), (date(2022, 3, 1), date(2023, 3, 1))),
        # A single day: the day before, across a month's and a year's end.
        ((date(2024, 3, 1), date(2024, 3, 1)), (date(2024, 2, 29), date(2024, 2, 29))),
        ((date(2024, 1, 1), date(2024, 1, 1)), (date(2023, 12, 31), date(2023, 12, 31))),
        ((date(2024, 3, 31), date(2024, 3, 31)), (date(2024, 3, 30), date(2024, 3, 30))),
    ],
)
def test_previous_is_the_comparable_period_just_before(period, previous):
    assert Period(*period).previous() == Period(*previous)


@pytest.mark.parametrize(
    "period",
    [ALWAYS, Period(date(2024, 1, 1), None), Period(None, date(2024, 12, 31))],
)
def test_an_open_period_has_no_previous(period):
    assert period.previous() is None


def test_no_previous_before_the_calendar_begins():
    assert Period(date(1, 1, 1), date(1, 12, 31)).previous() is None
    assert Period(date(1, 1, 1), date(1, 1, 1)).previous() is None


def test_previous_ends_the_day_before_and_is_as_long():
    period = Period(date(2024, 2, 10), date(2024, 5, 20))
    previous = period.previous()
    assert previous.end == date(2024, 2, 9)
    assert previous.end - previous.start == period.end - period.start


@pytest.mark.parametrize(
    ("period", "label"),
    [
        (Period(date(2024, 1, 1), date(2024, 12, 31)), "2024"),
        (Period(date(2024, 4, 1), date(2024, 4, 30)), "2024-04"),
        (Period(date(2024, 4, 1), date(2024, 6, 30)), "2024-04–06"),
        (Period(date(2023, 11, 1), date(2024, 2, 29)), "2023-11–2024-02"),
        (Period(date(2024, 3, 1), date(2024, 3, 10)), "2024-03-01–10"),
        (Period(date(2024, 1, 15), date(2024, 2, 14)), "2024-01-15–02-14"),
        (Period(date(2023, 12, 20), date(2024, 1, 5)), "2023-12-20–2024-01-05"),
        (Period(date(2024, 3, 5), date(2024, 3, 5)), "2024-03-05"),
        (Period(date(2024, 3, 5), None), "2024-03-05 – …"),
    ],
)
def test_label_names_the_period_shortly(period, label):
    assert period.label() == label
