"""The series the region dashboard charts: month buckets at month edges, each
month equal to the summary of that month, and a fixed number of queries."""

import datetime as dt

import pytest

from aidtracker.summary import (
    MAX_CHART_MONTHS,
    chart_period,
    experts_per_month,
    region_charts,
    region_summary,
    surgeries_per_month,
    techniques_per_year,
    trainees_per_month,
)
from hospitals.periods import Period
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
Q1 = Period(D(2024, 1, 1), D(2024, 3, 31))


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
    assert surgeries_per_month(world.tibet, Q1) == [
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
    assert series == [
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


def test_trainees_per_month_by_kind(world):
    a = f.TraineeFactory(hospital=world.lhasa_peoples)
    b = f.TraineeFactory(hospital=world.pulan)
    f.TrainingFactory(trainee=a, kind="onsite_course", start_date=D(2024, 1, 10), end_date=D(2024, 1, 31))
    f.TrainingFactory(trainee=a, kind="mentorship", start_date=D(2024, 1, 20), end_date=None)  # ongoing
    f.TrainingFactory(trainee=b, kind="further_study", host_hospital=world.bj_friendship,
                      start_date=D(2024, 3, 1), end_date=D(2024, 8, 31))
    f.TrainingFactory(trainee=f.TraineeFactory(hospital=world.xj_children), start_date=D(2024, 1, 1))
    assert trainees_per_month(world.tibet, Q1) == [
        {"month": "2024-01", "onsite_course": 1, "mentorship": 1, "further_study": 0, "total": 1},
        {"month": "2024-02", "onsite_course": 0, "mentorship": 1, "further_study": 0, "total": 1},
        {"month": "2024-03", "onsite_course": 0, "mentorship": 1, "further_study": 1, "total": 2},
    ]
    march = region_summary(world.tibet, Period(D(2024, 3, 1), D(2024, 3, 31)))["trainees"]
    assert march["total"] == 2 and march["by_kind"]["further_study"] == 1


def test_techniques_per_year_with_first_in_region(world):
    T = f.TechniqueFactory
    T(hospital=world.pulan, introduced_on=D(2022, 12, 31), first_in_region=True)
    T(hospital=world.pulan, introduced_on=D(2024, 1, 1), first_in_region=True)
    T(hospital=world.lhasa_peoples, introduced_on=D(2024, 12, 31))
    T(hospital=world.xj_children, introduced_on=D(2024, 6, 1))
    assert techniques_per_year(world.tibet, Period(D(2022, 1, 1), D(2024, 12, 31))) == [
        {"year": 2022, "total": 1, "first_in_region": 1, "other": 0},
        {"year": 2023, "total": 0, "first_in_region": 0, "other": 0},
        {"year": 2024, "total": 2, "first_in_region": 1, "other": 1},
    ]


def test_chart_period_from_the_data_when_open(world, django_assert_num_queries):
    f.SurgeryFactory(hospital=world.pulan, date=D(2021, 3, 15))
    f.TechniqueFactory(hospital=world.pulan, introduced_on=D(2024, 7, 2))
    f.SurgeryFactory(hospital=world.xj_children, date=D(2010, 1, 1))  # elsewhere: ignored
    with django_assert_num_queries(1):
        assert chart_period(world.tibet) == Period(D(2021, 3, 15), D(2024, 7, 2))
    assert chart_period(world.tibet, Period(D(2023, 1, 1))) == Period(D(2023, 1, 1), D(2024, 7, 2))
    with django_assert_num_queries(0):
        assert chart_period(world.tibet, Q1) == Q1
    # Capped to the latest MAX_CHART_MONTHS months.
    long = chart_period(world.tibet, Period(D(1990, 1, 1), D(2024, 12, 31)))
    assert long == Period(D(2025 - MAX_CHART_MONTHS // 12, 1, 1), D(2024, 12, 31))
    # Nothing at all: the last twelve months.
    empty = chart_period(world.shanghai)
    assert empty.end == dt.date.today() and (empty.end - empty.start).days > 330


def _fill(world, n):
    team = f.TeamFactory(program=world.bj_lhasa, start_date=D(2023, 1, 1), end_date=D(2025, 12, 31))
    for i in range(n):
        day = D(2024, 1, 1) + dt.timedelta(days=i * 11 % 365)
        rotation(team, day, day + dt.timedelta(days=40))
        f.SurgeryFactory(hospital=world.pulan, date=day, team=team)
        f.TrainingFactory(trainee=f.TraineeFactory(hospital=world.pulan), start_date=day, end_date=None)
        f.TechniqueFactory(hospital=world.pulan, introduced_on=day)


@pytest.mark.parametrize("rows", [1, 40])
def test_charts_query_count_does_not_grow(world, rows, django_assert_num_queries):
    _fill(world, rows)
    with django_assert_num_queries(5):  # chart period + 4 series
        charts = region_charts(world.tibet, Period(D(2024, 1, 1)), specialty="general_surgery")
    with django_assert_num_queries(4):
        region_charts(world.tibet, Period(D(2024, 1, 1), D(2024, 12, 31)), donor="110000")
    assert list(charts) == [
        "period", "surgeries_per_month", "experts_per_month", "trainees_per_month", "techniques_per_year",
    ]
    assert sum(m["total"] for m in charts["surgeries_per_month"]) == rows
    assert charts["trainees_per_month"][-1]["total"] == rows  # all ongoing
