import datetime as dt

import pytest

from outcomes.models import IndicatorValue, Referral, Surgery, Training
from tests import factories as f
from tests.rules import assert_invalid, assert_refused_by_database

pytestmark = pytest.mark.django_db


def test_surgery_grade_is_1_to_4(world):
    surgery = f.SurgeryFactory.build(hospital=world.lhasa_peoples, grade=5)
    assert_invalid(surgery, "Value 5 is not a valid choice.", field="grade")
    assert_refused_by_database(surgery)


def test_surgery_blood_loss_not_negative(world):
    surgery = f.SurgeryFactory.build(hospital=world.lhasa_peoples, blood_loss_ml=-1)
    assert_invalid(surgery, "greater than or equal to 0")


def test_surgery_ref_is_unique(world):
    f.SurgeryFactory(hospital=world.lhasa_peoples, ref="S1")
    again = f.SurgeryFactory.build(hospital=world.lhasa_peoples, ref="S1")
    assert_invalid(again, "already exists")
    assert_refused_by_database(again)


def test_further_study_needs_a_host(world):
    training = f.TrainingFactory.build(trainee=f.TraineeFactory(hospital=world.pulan), kind="further_study")
    assert_invalid(training, "host hospital is required for further study")
    assert_refused_by_database(training)


def test_host_only_for_further_study(world):
    training = f.TrainingFactory.build(
        trainee=f.TraineeFactory(hospital=world.pulan), kind="mentorship", host_hospital=world.renji
    )
    assert_invalid(training, "only for further study")
    assert_refused_by_database(training)
    training.kind = Training.Kind.FURTHER_STUDY
    training.full_clean()


def test_training_dates_and_hours(world):
    training = f.TrainingFactory.build(
        trainee=f.TraineeFactory(hospital=world.pulan),
        start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 4, 1),
    )
    assert_invalid(training, "The end date must not be before the start date.")
    assert_refused_by_database(training)
    training.end_date = None
    training.hours = -3
    assert_invalid(training, "greater than or equal to 0")
    assert_refused_by_database(training)


def test_referral_ends_must_fit_the_kind(world):
    # an international patient comes from a country, not a region
    referral = Referral(
        ref="R1", date=dt.date(2024, 1, 1), kind="international", origin_region=world.tibet,
        destination_hospital=world.xj_children, age_group="child",
    )
    assert_invalid(referral, "Origin and destination do not fit the kind")
    assert_refused_by_database(referral)
    referral.origin_region = None
    referral.origin_country = "PL"
    referral.full_clean()
    assert referral.origin == "PL" and referral.destination == "XJ-CHILDREN"


def test_indicator_period_is_a_month(world):
    value = IndicatorValue(
        hospital=world.xj_children, period=dt.date(2024, 1, 15), indicator="live_births", value=10
    )
    assert_invalid(value, "YYYY-MM")
    assert_refused_by_database(value)


def test_indicator_value_not_negative(world):
    value = IndicatorValue(
        hospital=world.xj_children, period=dt.date(2024, 1, 1), indicator="live_births", value=-1
    )
    assert_invalid(value, "greater than or equal to 0")
    assert_refused_by_database(value)


def test_minimally_invasive_approaches():
    assert Surgery(approach="robotic").minimally_invasive
    assert not Surgery(approach="open").minimally_invasive
