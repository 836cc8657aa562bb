import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from deployments.models import Program, Rotation, Team, Twinning
from tests import factories as f
from tests.rules import assert_invalid, assert_refused_by_database

pytestmark = pytest.mark.django_db


def test_program_donor_must_be_province_level(world):
    program = Program(
        code="X", name="X", kind="group_aid", donor_region=world.lhasa,
        recipient_hospital=world.pulan, start_date=dt.date(2020, 1, 1),
    )
    assert_invalid(program, "The donor region must be province-level", field="donor_region")


def test_program_end_before_start_is_refused(world):
    program = Program(
        code="X", name="X", kind="group_aid", donor_region=world.beijing,
        recipient_hospital=world.pulan, start_date=dt.date(2020, 1, 1), end_date=dt.date(2019, 1, 1),
    )
    assert_invalid(program, "The end date must not be before the start date.")
    assert_refused_by_database(program)


def test_twinning_key_is_unique(world):
    Twinning.objects.create(
        program=world.bj_lhasa, specialty_id="orthopedics", donor_hospital=world.bj_friendship,
        start_date=dt.date(2015, 8, 1),
    )
    twin = Twinning(
        program=world.bj_lhasa, specialty_id="orthopedics", donor_hospital=world.bj_friendship,
        start_date=dt.date(2016, 1, 1),
    )
    assert_invalid(twin, "already twins this department")
    assert_refused_by_database(twin)


def test_team_batch_is_unique_within_a_program(world):
    f.TeamFactory(program=world.bj_lhasa, batch=7)
    team = Team(code="BJ-8", program=world.bj_lhasa, name="Eighth", batch=7,
                start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    assert_invalid(team, "already has a team with this batch number")
    assert_refused_by_database(team)
    # the same batch number in another program is fine
    Team.objects.create(code="SH-7", program=world.sh_xigaze, name="Seventh", batch=7,
                        start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))


def test_team_batch_must_be_positive(world):
    team = Team(code="BJ-0", program=world.bj_lhasa, name="Zero", batch=0,
                start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    assert_invalid(team, "positive whole number")
    assert_refused_by_database(team)


def test_team_dates_ordered(world):
    team = Team(code="BJ-9", program=world.bj_lhasa, name="Ninth", batch=9,
                start_date=dt.date(2024, 1, 1), end_date=dt.date(2023, 12, 31))
    assert_invalid(team, "The end date must not be before the start date.")
    assert_refused_by_database(team)


def test_overlapping_rotations_of_one_person_are_refused(world):
    first = f.RotationFactory(
        team__program=world.bj_lhasa, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 6, 30)
    )
    other_team = f.TeamFactory(program=world.bj_lhasa)
    clash = Rotation(
        team=other_team, person=first.person, specialty_id="urology", title="chief", role="member",
        start_date=dt.date(2024, 6, 30), end_date=dt.date(2024, 12, 31),
    )
    assert_invalid(clash, f"{first.person.code} already has a rotation from 2024-01-01 to 2024-06-30")
    # the next day is fine: both ends of a rotation count as days on site
    clash.start_date = dt.date(2024, 7, 1)
    clash.full_clean()


def test_database_refuses_overlapping_rotations_on_postgres(world, postgres_only):
    first = f.RotationFactory(team__program=world.bj_lhasa)
    clash = Rotation(
        team=f.TeamFactory(program=world.bj_lhasa), person=first.person, specialty_id="urology",
        title="chief", role="member", start_date=first.end_date, end_date=dt.date(2025, 1, 1),
    )
    assert_refused_by_database(clash)


def test_rotation_key_is_unique(world):
    first = f.RotationFactory(team__program=world.bj_lhasa)
    again = Rotation(
        team=first.team, person=first.person, specialty_id="urology", title="chief", role="member",
        start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 2, 1),
    )
    assert_invalid(again, "already has a rotation with this team")
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()
