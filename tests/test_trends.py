"""The trends on hand-derived data (docs/figures.md, section 3, Trends):
the grouping rule, partial groups, the rolling and grade 3-4 local shares,
and safety by who led."""

import datetime as dt

import pytest

from aidtracker.lib.periods import MONTH, QUARTER, YEAR, Period
from figures.series import closed_chart_period, region_dashboard, region_series, surgeries_per_month
from tests import factories as f

D = dt.date
TODAY = D(2026, 12, 4)


# --------------------------------------------------------------------------
# The grouping rule and the groups (no database)


def test_three_years_exactly_group_by_month_a_day_more_by_quarter():
    assert Period(D(2022, 1, 1), D(2024, 12, 31)).grouping() == MONTH  # 3 years exactly
    assert Period(D(2022, 1, 1), D(2025, 1, 1)).grouping() == QUARTER  # 3 years + 1 day
    # 29 February: three years later is 1 March.
    assert Period(D(2024, 2, 29), D(2027, 2, 28)).grouping() == MONTH
    assert Period(D(2024, 2, 29), D(2027, 3, 1)).grouping() == QUARTER
    # An open end counts to today.
    assert Period(D(2023, 12, 5)).grouping(TODAY) == MONTH  # to 2026-12-04: 3 years exactly
    assert Period(D(2023, 12, 4)).grouping(TODAY) == QUARTER
    # "All time" (an open start) by year, whatever the end.
    assert Period().grouping(TODAY) == YEAR
    assert Period(None, D(2024, 1, 31)).grouping(TODAY) == YEAR


def test_ten_years_exactly_group_by_quarter_a_day_more_by_year():
    assert Period(D(2015, 1, 1), D(2024, 12, 31)).grouping() == QUARTER
    assert Period(D(2015, 1, 1), D(2025, 1, 1)).grouping() == YEAR
    assert Period(D(1, 1, 1), D(9999, 12, 31)).grouping() == YEAR
    # At the calendar's end a period stays short.
    assert Period(D(9995, 1, 1), D(9999, 12, 31)).grouping() == QUARTER


def test_a_chart_by_year_keeps_to_the_fifty_years_to_the_next():
    # Typed edges of the calendar: 1977 (50 years to 2026) to 2027.
    assert closed_chart_period(Period(D(1, 1, 1), D(9999, 12, 31)), None, today=TODAY) == Period(
        D(1977, 1, 1), D(2027, 12, 31))
    assert closed_chart_period(Period(D(1, 1, 1)), None, today=TODAY) == Period(D(1977, 1, 1), D(2026, 12, 31))
    # All time from the first program, to a far end.
    assert closed_chart_period(Period(None, D(9999, 12, 31)), D(2015, 3, 1), today=TODAY) == Period(
        D(2015, 1, 1), D(2027, 12, 31))
    # Wholly outside those years: one year of the period, inside it.
    assert closed_chart_period(Period(D(1, 1, 1), D(900, 6, 30)), None, today=TODAY) == Period(
        D(900, 1, 1), D(900, 6, 30))
    assert closed_chart_period(Period(D(3000, 5, 1), D(9999, 12, 31)), None, today=TODAY) == Period(
        D(3000, 5, 1), D(3000, 12, 31))
    # A period by month or quarter is drawn whole, however far.
    assert closed_chart_period(Period(D(3000, 1, 1), D(3002, 12, 31)), None, today=TODAY) == Period(
        D(3000, 1, 1), D(3002, 12, 31))


def test_quarter_labels_and_the_partial_quarters_of_the_last_five_years():
    groups = Period(D(2021, 12, 5), D(2026, 12, 4)).groups(QUARTER, TODAY)
    # 2021-Q4, 4 quarters in each of 2022..2025, 4 in 2026: 21.
    assert len(groups) == 21
    first, middle, last = groups[0], groups[9], groups[-1]
    # Cut by the period's start: from 5 December.
    assert (first.label, first.start, first.end, first.partial, first.cut_start) == (
        "2021-Q4", D(2021, 12, 5), D(2021, 12, 31), True, True)
    assert first.months == (D(2021, 12, 1),)
    assert (middle.label, middle.start, middle.end, middle.partial) == (
        "2024-Q1", D(2024, 1, 1), D(2024, 3, 31), False)
    # Contains today and is cut by the end: data up to today.
    assert (last.label, last.start, last.end, last.partial, last.through) == (
        "2026-Q4", D(2026, 10, 1), D(2026, 12, 4), True, D(2026, 12, 4))


def test_year_labels_and_the_partial_year():
    groups = Period(D(2024, 1, 1), D(2026, 12, 31)).groups(YEAR, TODAY)
    assert [(g.label, g.partial, g.through) for g in groups] == [
        ("2024", False, D(2024, 12, 31)),
        ("2025", False, D(2025, 12, 31)),
        ("2026", True, TODAY),  # the current year, not over on 4 December
    ]
    assert groups[0].months[0] == D(2024, 1, 1) and len(groups[0].months) == 12


def test_the_partial_month_is_todays_or_the_one_the_period_cuts():
    groups = Period(D(2026, 11, 1), D(2026, 12, 31)).groups(MONTH, TODAY)
    assert [(g.label, g.partial, g.through) for g in groups] == [
        ("2026-11", False, D(2026, 11, 30)),
        ("2026-12", True, TODAY),
    ]
    # A closed period in the past that ends mid-month: its last month is partial.
    june = Period(D(2024, 1, 1), D(2024, 6, 15)).groups(MONTH, TODAY)[-1]
    assert (june.label, june.partial, june.through, june.cut_start) == ("2024-06", True, D(2024, 6, 15), False)
    # Whole months of the past: none partial.
    assert not any(g.partial for g in Period(D(2024, 1, 1), D(2024, 12, 31)).groups(MONTH, TODAY))


# --------------------------------------------------------------------------
# The skills-transfer shares


def surgery(world, day, lead, grade=2, outcome="success", hospital=None):
    return f.SurgeryFactory(hospital=hospital or world.pulan, date=day, lead=lead, grade=grade, outcome=outcome)


@pytest.fixture
def shares(world):
    """Tibet's surgeries:
    2023-03: local g2
    2024-01: local g1, visiting g4
    2024-02: none
    2024-03: local g3, local g1, joint g4
    (and one in Xinjiang, never counted)."""
    surgery(world, D(2023, 3, 15), "local", 2)
    surgery(world, D(2024, 1, 10), "local", 1)
    surgery(world, D(2024, 1, 31), "visiting", 4, hospital=world.lhasa_peoples)
    surgery(world, D(2024, 3, 1), "local", 3)
    surgery(world, D(2024, 3, 31), "local", 1)
    surgery(world, D(2024, 3, 20), "joint", 4)
    surgery(world, D(2024, 3, 20), "joint", 4, hospital=world.xj_children)
    return world


SHARES = ("label", "total", "local_share_percent", "rolling_local_share_percent", "grade_3_4",
          "local_grade_3_4", "grade_3_4_local_share_percent", "rolling_grade_3_4_local_share_percent")


def pick(series, keys=SHARES):
    return [tuple(point[k] for k in keys) for point in series]


@pytest.mark.django_db
def test_rolling_share_over_the_12_months_ending_with_each_month(shares, django_assert_num_queries):
    with django_assert_num_queries(1):  # the 11 earlier months in the same query
        series = surgeries_per_month(shares.tibet, Period(D(2024, 1, 1), D(2024, 3, 31)), today=TODAY)
    assert pick(series) == [
        # January: 1 local of 2 = 50.0. Rolling 2023-02..2024-01: local 2
        # (2023-03, 2024-01) of 3 = 66.7. Grade 3-4: the visiting g4 alone,
        # 0 local = 0.0; rolling the same.
        ("2024-01", 2, 50.0, 66.7, 1, 0, 0.0, 0.0),
        # February: no surgery, so no share (None, not 0 %). Rolling
        # 2023-03..2024-02: still 2 of 3 = 66.7.
        ("2024-02", 0, None, 66.7, 0, 0, None, 0.0),
        # March: 2 local of 3 = 66.7. Rolling 2023-04..2024-03 (2023-03 has
        # left the window): local 3 of 5 = 60.0. Grade 3-4: local g3 and
        # joint g4, 1 of 2 = 50.0; rolling adds January's visiting g4: 1 of 3 = 33.3.
        ("2024-03", 3, 66.7, 60.0, 2, 1, 50.0, 33.3),
    ]


@pytest.mark.django_db
def test_rolling_share_with_fewer_than_12_months_of_history(shares):
    # Starting with the first surgery's month: the earlier months hold none,
    # so each rolling share is that of the months there are.
    series = surgeries_per_month(shares.tibet, Period(D(2023, 3, 1), D(2023, 5, 31)), today=TODAY)
    assert pick(series, ("label", "local_share_percent", "rolling_local_share_percent")) == [
        ("2023-03", 100.0, 100.0),  # 1 of 1, no history before it
        ("2023-04", None, 100.0),  # no surgery this month; the window still holds March's
        ("2023-05", None, 100.0),
    ]


@pytest.mark.django_db
def test_a_quarter_sums_its_months_and_rolls_over_12_months(shares):
    # 2020-01-01..2024-03-31 is longer than 3 years: by quarter.
    series = surgeries_per_month(shares.tibet, Period(D(2020, 1, 1), D(2024, 3, 31)), today=TODAY)
    assert len(series) == 17 and series[0]["label"] == "2020-Q1"
    by_label = {point["label"]: point for point in series}
    q = by_label["2024-Q1"]
    # January + March: visiting 1, joint 1, local 3 = 5; 3 of 5 = 60.0;
    # rolling 2023-04..2024-03 is the same 5: 60.0. Grade 3-4: 3, 1 local = 33.3.
    assert (q["visiting"], q["joint"], q["local"], q["total"]) == (1, 1, 3, 5)
    assert (q["local_share_percent"], q["rolling_local_share_percent"], q["grade_3_4_local_share_percent"]) == (
        60.0, 60.0, 33.3)
    assert by_label["2023-Q1"]["local_share_percent"] == 100.0  # 2023-03 alone
    assert not any(point["partial"] for point in series)


# --------------------------------------------------------------------------
# Safety by who led, and the dashboard's partial points


@pytest.fixture
def outcomes(world):
    """2023: visiting 1 (death). 2024 (to 10 July): visiting 4 (one
    complication, one death), local 2 (successes), joint none."""
    surgery(world, D(2023, 5, 5), "visiting", outcome="death")
    surgery(world, D(2024, 1, 5), "visiting", outcome="complication")
    surgery(world, D(2024, 2, 5), "visiting", outcome="death")
    surgery(world, D(2024, 3, 5), "visiting")
    surgery(world, D(2024, 7, 10), "visiting")
    surgery(world, D(2024, 4, 1), "local")
    surgery(world, D(2024, 6, 30), "local", hospital=world.lhasa_peoples)
    return world


def rates(surgeries, complications, deaths):
    share = (lambda n: round(100 * n / surgeries, 1)) if surgeries else (lambda n: None)
    return {"surgeries": surgeries, "complications": complications, "complication_rate_percent": share(complications),
            "deaths": deaths, "death_rate_percent": share(deaths)}


@pytest.mark.django_db
def test_safety_rates_by_who_led_for_the_period_and_per_year(outcomes):
    today = D(2024, 7, 10)
    safety = region_dashboard(outcomes.tibet, Period(D(2023, 1, 1), D(2024, 12, 31)), today=today)["safety"]
    assert safety["by_lead"] == {
        # 5 visiting: 1 complication (20.0 %), 2 deaths (40.0 %).
        "visiting": rates(5, 1, 2),
        # No joint surgery: rates None ("no surgeries"), not 0 %.
        "joint": rates(0, 0, 0),
        # 2 local, no complication or death: 0.0 %, which is data.
        "local": rates(2, 0, 0),
    }
    assert safety["by_lead"]["joint"]["complication_rate_percent"] is None
    assert safety["by_lead"]["local"]["death_rate_percent"] == 0.0
    assert [(y["year"], y["partial"], y["through"]) for y in safety["per_year"]] == [
        (2023, False, "2023-12-31"), (2024, True, "2024-07-10"),
    ]
    # 2023: the one visiting death, 100.0 %; 2024: visiting 4, 1 and 1 (25.0 %).
    assert safety["per_year"][0]["by_lead"]["visiting"] == rates(1, 0, 1)
    assert safety["per_year"][1]["by_lead"]["visiting"] == rates(4, 1, 1)
    assert safety["per_year"][1]["by_lead"]["local"] == rates(2, 0, 0)


@pytest.mark.django_db
def test_the_dashboard_marks_the_current_month_partial(outcomes):
    today = D(2024, 7, 10)
    charts = region_dashboard(outcomes.tibet, Period(D(2024, 1, 1), D(2024, 12, 31)), today=today)["charts"]
    assert charts["grouping"] == MONTH
    points = {p["label"]: p for p in charts["surgeries_per_month"]}
    assert (points["2024-06"]["partial"], points["2024-07"]["partial"]) == (False, True)
    assert points["2024-07"]["through"] == "2024-07-10"
    assert points["2024-07"]["total"] == 1  # the visiting surgery of 10 July
    assert [p["partial"] for p in charts["experts_per_month"]] == [False] * 6 + [True] * 6
    assert charts["techniques_per_year"][0]["partial"] is True  # 2024, not over


@pytest.mark.django_db
def test_all_time_charts_by_year_from_the_first_programs_year(outcomes):
    series = region_series(outcomes.tibet, Period(), today=D(2024, 7, 10))
    charts = series["charts"]
    assert charts["grouping"] == YEAR
    points = charts["surgeries_per_month"]
    assert points[0]["from"][5:] == "01-01" and points[-1]["label"] == "2024" and points[-1]["partial"]
    # The year totals add up to the cards' all-time total (7 surgeries).
    assert sum(p["total"] for p in points) == 7
    assert series["safety"]["by_lead"]["visiting"] == rates(5, 1, 2)


@pytest.mark.django_db
def test_all_time_begins_with_a_surgery_before_the_first_program(outcomes):
    # The first program (BJ-LHASA) began 2015-08-01; a surgery of 2013
    # starts the yearly chart on 2013-01-01, so its bars add up to the card.
    surgery(outcomes, D(2013, 6, 1), "local", outcome="complication")
    figures = region_dashboard(outcomes.tibet, Period(), today=D(2024, 7, 10))
    points = figures["charts"]["surgeries_per_month"]
    assert figures["charts"]["period"]["from"] == "2013-01-01"
    assert [p["label"] for p in points][:3] == ["2013", "2014", "2015"]
    assert sum(p["total"] for p in points) == figures["summary"]["surgeries"]["total"] == 8
    assert figures["charts"]["experts_per_month"][0]["label"] == "2013"
    assert [y["year"] for y in figures["safety"]["per_year"]][:2] == [2013, 2014]
    assert figures["safety"]["per_year"][0]["by_lead"]["local"] == rates(1, 1, 0)
