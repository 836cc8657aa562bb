"""Departments uncovered today (figures/worklist.py uncovered_today), on
hand-derived data: BJ-LHASA (from 2015-08-01) twins cardiology from
2020-01-01 and general surgery from 2024-01-01; today is 2025-03-01."""

import datetime as dt

import pytest

from figures.worklist import uncovered_today
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 1)
D = dt.date


@pytest.fixture
def lhasa(world):
    p = world.bj_lhasa
    f.TwinningFactory(program=p, specialty=f.specialty("cardiology"), donor_hospital=world.bj_friendship,
                      start_date=D(2020, 1, 1))
    f.TwinningFactory(program=p, specialty=f.specialty(), donor_hospital=world.bj_friendship,
                      start_date=D(2024, 1, 1))
    team = f.TeamFactory(program=p, code="BJ-LHASA-B9", start_date=D(2023, 1, 1), end_date=D(2025, 12, 31))
    # Cardiology: on site until 2023-11-30, then nobody (456 days to today, today included).
    f.RotationFactory(team=team, specialty=f.specialty("cardiology"), start_date=D(2023, 6, 1), end_date=D(2023, 11, 30))
    f.RotationFactory(team=team, specialty=f.specialty("cardiology"), start_date=D(2023, 1, 1), end_date=D(2023, 8, 31))
    return team


def test_a_department_without_anyone_since_a_rotation_ended_is_uncovered_since_the_next_day(world, lhasa):
    f.RotationFactory(team=lhasa, specialty=f.specialty(), start_date=D(2025, 2, 1), end_date=D(2025, 3, 1))
    (cardiology,) = uncovered_today([world.bj_lhasa], TODAY)
    assert cardiology.specialty.code == "cardiology"
    assert (cardiology.last_on_site, cardiology.since, cardiology.days) == (D(2023, 11, 30), D(2023, 12, 1), 457)


def test_a_department_nobody_has_served_is_uncovered_since_its_twinning_started(world, lhasa):
    gaps = uncovered_today([world.bj_lhasa], TODAY)
    assert [(g.specialty.code, g.since, g.last_on_site) for g in gaps] == [
        ("cardiology", D(2023, 12, 1), D(2023, 11, 30)),
        ("general_surgery", D(2024, 1, 1), None),
    ]


def test_a_rotation_before_the_twinning_does_not_count(world, lhasa):
    f.RotationFactory(team=lhasa, specialty=f.specialty(), start_date=D(2023, 2, 1), end_date=D(2023, 3, 1))
    gaps = uncovered_today([world.bj_lhasa], TODAY)
    assert [(g.specialty.code, g.since, g.last_on_site) for g in gaps][1] == ("general_surgery", D(2024, 1, 1), None)


def test_someone_on_site_today_covers_the_department(world, lhasa):
    f.RotationFactory(team=lhasa, specialty=f.specialty("cardiology"), start_date=D(2025, 3, 1), end_date=D(2025, 4, 1))
    f.RotationFactory(team=lhasa, specialty=f.specialty(), start_date=D(2025, 1, 1), end_date=D(2025, 3, 1))
    assert uncovered_today([world.bj_lhasa], TODAY) == []


def test_ended_twinnings_and_remote_support_have_no_uncovered_departments(world, lhasa, django_assert_num_queries):
    f.TwinningFactory(program=world.sh_xigaze, specialty=f.specialty("cardiology"), donor_hospital=world.bj_friendship,
                      start_date=D(2020, 1, 1), end_date=D(2024, 12, 31))
    with django_assert_num_queries(1):
        assert uncovered_today([world.sh_xigaze], TODAY) == []
    world.bj_lhasa.kind = "remote_support"
    world.bj_lhasa.save()
    assert uncovered_today([world.bj_lhasa], TODAY) == []


def test_it_costs_two_queries_whatever_the_data(world, lhasa, django_assert_num_queries):
    for n in range(20):
        f.RotationFactory(team=lhasa, specialty=f.specialty(), start_date=D(2024, 1, 1) + dt.timedelta(days=n),
                          end_date=D(2024, 2, 1) + dt.timedelta(days=n))
    with django_assert_num_queries(2):
        gaps = uncovered_today(["BJ-LHASA"], TODAY)
    assert [(g.specialty.code, g.since) for g in gaps] == [
        ("cardiology", D(2023, 12, 1)), ("general_surgery", D(2024, 2, 21)),
    ]
