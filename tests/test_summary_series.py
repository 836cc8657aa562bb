"""The series the region dashboard charts: month buckets at month edges, each
month equal to the summary of that month, and a fixed number of queries."""

import datetime as dt

import pytest

from figures.series import (
    chart_period,
    experts_per_month,
    region_charts,
    region_dashboard,
    surgeries_per_month,
    techniques_per_year,
    trainees_per_month,
)
from figures.summary import donor_summary, region_summary
from aidtracker.lib.periods import Period
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
Q1 = Period(D(2024, 1, 1), D(2024, 3, 31))


def only(series, *keys):
    """The entries of a series with `keys` alone (the grouping's keys left out)."""
    return [{key: entry[key] for key in keys} for entry in series]


def rotation(team, start, end, specialty="general_surgery"):
    return f.RotationFactory(
        team=team, start_date=start, end_date=end, specialty=f.specialty(specialty),
        person=f.PersonFactory(home_hospital=team.program.recipient_hospital),
    )


def test_surgeries_per_month_at_month_edges(world):
    team = f.TeamFactory(program=world.bj_lhasa)
    f.SurgeryFactory(hospital=world.lhasa_peoples, date=D(2024, 1, 31), lead="local")
    f.SurgeryFactory(hospital=world.pulan, date=D(2024, 2, 1), lead="visiting", team=team)
    f.SurgeryFactory(hospital=world.pulan, date=D(2024, 2, 29), lead="local")
    f.SurgeryFactory(hospital=world.pulan, date=D(2024, 3, 31), lead="joint")
    f.SurgeryFactory(hospital=world.pulan, date=D(2024, 4, 1), lead="joint")  # after
    f.SurgeryFactory(hospital=world.xj_children, date=D(2024, 2, 10))  # Xinjiang
    leads = ("month", "visiting", "joint", "local", "total", "local_share_percent")
    assert only(surgeries_per_month(world.tibet, Q1), *leads) == [
        {"month": "2024-01", "visiting": 0, "joint": 0, "local": 1, "total": 1, "local_share_percent": 100.0},
        {"month": "2024-02", "visiting": 1, "joint": 0, "local": 1, "total": 2, "local_share_percent": 50.0},
        {"month": "2024-03", "visiting": 0, "joint": 1, "local": 0, "total": 1, "local_share_percent": 0.0},
    ]
    # A period starting mid-month clips the first month.
    clipped = surgeries_per_month(world.tibet, Period(D(2024, 2, 2), D(2024, 3, 1)))
    assert [(m["month"], m["total"]) for m in clipped] == [("2024-02", 1), ("2024-03", 0)]
    assert [m["total"] for m in surgeries_per_month(world.tibet, Q1, donor="110000")] == [0, 1, 0]


def test_experts_per_month_equal_the_summary_of_each_month(world):
    team = f.TeamFactory(program=world.bj_lhasa, start_date=D(2023, 1, 1), end_date=D(2025, 1, 1))
    rotation(team, D(2023, 12, 1), D(2024, 1, 31))  # ends on January's last day
    rotation(team, D(2024, 2, 1), D(2024, 2, 1))  # one day, on February's first
    rotation(team, D(2024, 1, 15), D(2024, 3, 1), specialty="orthopedics")
    person = f.PersonFactory(home_hospital=world.bj_friendship)
    f.RotationFactory(team=team, person=person, start_date=D(2024, 3, 2), end_date=D(2024, 3, 5))
    f.RotationFactory(team=f.TeamFactory(program=world.sh_xigaze), person=person,
                      start_date=D(2024, 3, 20), end_date=D(2024, 4, 5))  # twice in March: once
    series = experts_per_month(world.tibet, Q1)
    assert only(series, "month", "experts") == [
        {"month": "2024-01", "experts": 2},
        {"month": "2024-02", "experts": 2},
        {"month": "2024-03", "experts": 2},
    ]
    for entry, month in zip(series, [(1, 31), (2, 29), (3, 31)]):
        period = Period(D(2024, month[0], 1), D(2024, month[0], month[1]))
        assert entry["experts"] == region_summary(world.tibet, period)["experts"]
    assert [e["experts"] for e in experts_per_month(world.tibet, Q1, specialty="orthopedics")] == [1, 1, 1]
    assert [e["experts"] for e in experts_per_month(world.tibet, Q1, donor="310000")] == [0, 0, 1]
    # Clipped months: 2024-01-01..2024-02-01 sees the one-day rotation in February.
    assert [e["experts"] for e in experts_per_month(world.tibet, Period(D(2024, 1, 20), D(2024, 2, 1)))] == [2, 2]
    assert [e["experts"] for e in experts_per_month(world.tibet, Period(D(2024, 2, 2), D(2024, 2, 29)))] == [1]


def test_trainees_per_month_by_kind_count_new_trainees_by_start_month(world):
    a = f.TraineeFactory(hospital=world.lhasa_peoples)
    b = f.TraineeFactory(hospital=world.pulan)
    T = f.TrainingFactory
    T(trainee=a, kind="onsite_course", start_date=D(2024, 1, 31), end_date=D(2024, 2, 10))
    T(trainee=a, kind="onsite_course", start_date=D(2024, 1, 2), end_date=D(2024, 1, 3))  # a again
    T(trainee=a, kind="mentorship", start_date=D(2024, 1, 20), end_date=None)
    T(trainee=b, kind="mentorship", start_date=D(2024, 2, 1), end_date=None)
    T(trainee=b, kind="further_study", host_hospital=world.bj_friendship,
      start_date=D(2024, 3, 31), end_date=D(2024, 8, 31))
    T(trainee=b, kind="further_study", host_hospital=world.bj_friendship,
      start_date=D(2024, 4, 1), end_date=D(2024, 8, 31))  # after the period
    T(trainee=f.TraineeFactory(hospital=world.xj_children), start_date=D(2024, 1, 1))  # Xinjiang
    kinds = ("month", "onsite_course", "mentorship", "further_study", "total")
    assert only(trainees_per_month(world.tibet, Q1), *kinds) == [
        {"month": "2024-01", "onsite_course": 1, "mentorship": 1, "further_study": 0, "total": 1},
        {"month": "2024-02", "onsite_course": 0, "mentorship": 1, "further_study": 0, "total": 1},
        {"month": "2024-03", "onsite_course": 0, "mentorship": 0, "further_study": 1, "total": 1},
    ]
    clipped = trainees_per_month(world.tibet, Period(D(2024, 1, 3), D(2024, 2, 29)), specialty="general_surgery")
    assert [m["total"] for m in clipped] == [1, 1]


def test_techniques_per_year_with_first_in_region(world):
    T = f.TechniqueFactory
    T(hospital=world.pulan, introduced_on=D(2022, 12, 31), first_in_region=True)
    T(hospital=world.pulan, introduced_on=D(2024, 1, 1), first_in_region=True)
    T(hospital=world.lhasa_peoples, introduced_on=D(2024, 12, 31))
    T(hospital=world.xj_children, introduced_on=D(2024, 6, 1))
    series = techniques_per_year(world.tibet, Period(D(2022, 1, 1), D(2024, 12, 31)))
    assert only(series, "year", "total", "first_in_region", "other") == [
        {"year": 2022, "total": 1, "first_in_region": 1, "other": 0},
        {"year": 2023, "total": 0, "first_in_region": 0, "other": 0},
        {"year": 2024, "total": 2, "first_in_region": 1, "other": 1},
    ]


def test_chart_period_from_the_first_programs_month_to_this_month_when_open(world, django_assert_num_queries):
    today = dt.date.today()
    this_month_end = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    f.ProgramFactory(donor_region=world.beijing, recipient_hospital=world.pulan, start_date=D(2015, 3, 20))
    # The earliest program began 2015-03-20: all time (grouped by year) from
    # 1 January of that year to this month, however long.
    with django_assert_num_queries(1):
        assert chart_period(world.tibet) == Period(D(2015, 1, 1), this_month_end)
    assert chart_period(world.tibet, Period(D(2023, 1, 5))) == Period(D(2023, 1, 5), this_month_end)
    assert chart_period(world.tibet, Period(None, D(2020, 5, 5))) == Period(D(2015, 1, 1), D(2020, 5, 5))
    # Before the first program: the 12 months up to the end.
    assert chart_period(world.tibet, Period(None, D(2010, 5, 5))) == Period(D(2009, 6, 1), D(2010, 5, 5))
    # A start after this month: the chart is that day.
    later = this_month_end + dt.timedelta(days=40)
    assert chart_period(world.tibet, Period(later)) == Period(later, later)
    with django_assert_num_queries(0):
        assert chart_period(world.tibet, Q1) == Q1
    # No cap: the chart covers the whole period the cards cover.
    long = chart_period(world.tibet, Period(D(1990, 1, 1), D(2024, 12, 31)))
    assert long == Period(D(1990, 1, 1), D(2024, 12, 31))
    # No programs at all: the last twelve months.
    empty = chart_period(world.shanghai)
    index = today.year * 12 + today.month - 12
    assert empty == Period(D(index // 12, index % 12 + 1, 1), this_month_end)


def _fill(world, n):
    team = f.TeamFactory(program=world.bj_lhasa, start_date=D(2023, 1, 1), end_date=D(2025, 12, 31))
    for i in range(n):
        day = D(2024, 1, 1) + dt.timedelta(days=i * 11 % 365)
        rotation(team, day, day + dt.timedelta(days=40))
        f.SurgeryFactory(hospital=world.pulan, date=day, team=team)
        f.TrainingFactory(trainee=f.TraineeFactory(hospital=world.pulan), start_date=day, end_date=None)
        f.TechniqueFactory(hospital=world.pulan, introduced_on=day)


@pytest.mark.parametrize(
    "period",
    [Period(), Period(D(2024, 1, 15)), Period(None, D(2024, 3, 3)), Period(D(2024, 2, 2), D(2024, 11, 30)),
     Period(D(1990, 1, 1), D(2024, 12, 31))],
)
@pytest.mark.parametrize("filters", [{}, {"specialty": "general_surgery"}, {"donor": "110000"}])
def test_dashboard_equals_summary_and_charts(world, period, filters, django_assert_num_queries):
    _fill(world, 12)
    f.SurgeryFactory(hospital=world.xigaze_peoples, date=D(2015, 9, 9), team=f.TeamFactory(program=world.sh_xigaze))
    f.SurgeryFactory(hospital=world.xigaze_peoples, date=D(2014, 9, 9))  # before any program
    # +1 under a donor filter: the surgeries of the departments it twins.
    queries = 12 + (period.start is None or period.end is None) + ("donor" in filters)
    with django_assert_num_queries(queries):
        dashboard = region_dashboard(world.tibet, period, **filters)
    twinned = dashboard.pop("twinned")
    safety = dashboard.pop("safety")
    by_lead = dashboard["summary"]["surgeries"]["by_lead"]
    assert {lead: figures["surgeries"] for lead, figures in safety["by_lead"].items()} == by_lead
    assert dashboard == {
        "summary": region_summary(world.tibet, period, **filters),
        "charts": region_charts(world.tibet, period, **filters),
    }
    if "donor" in filters:
        donor = donor_summary(filters["donor"], period, recipient=world.tibet)["twinned_department_surgeries"]
        assert {k: twinned[k] for k in ("total", "by_lead")} == donor
        # The chart's months lie inside the period (the latest ones at most).
        assert sum(m["total"] for m in twinned["per_month"]) <= donor["total"]
        for lead in ("visiting", "joint", "local"):
            assert sum(m[lead] for m in twinned["per_month"]) <= donor["by_lead"][lead]
    else:
        assert twinned is None


@pytest.mark.parametrize("rows", [1, 40])
def test_charts_query_count_does_not_grow(world, rows, django_assert_num_queries):
    _fill(world, rows)
    with django_assert_num_queries(5):  # chart period + 4 series
        charts = region_charts(world.tibet, Period(D(2024, 1, 1)), specialty="general_surgery")
    with django_assert_num_queries(4):
        region_charts(world.tibet, Period(D(2024, 1, 1), D(2024, 12, 31)), donor="110000")
    assert list(charts) == [
        "period", "grouping", "surgeries_per_month", "experts_per_month", "trainees_per_month", "techniques_per_year",
    ]
    assert sum(m["total"] for m in charts["surgeries_per_month"]) == rows
    assert sum(m["total"] for m in charts["trainees_per_month"]) == rows
