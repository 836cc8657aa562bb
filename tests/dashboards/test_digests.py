"""The coordinators' digest (send_digests): one mail per coordinator with
something to say, naming the department and the day its coverage lapses,
the months a team was on site with nothing logged, in their language."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from dashboards.digests import send_digests
from figures.worklist import coverage_gaps_ahead, last_logged, silent_months
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 1)
D = dt.date


@pytest.fixture
def cardiology(world):
    """BJ-LHASA twins cardiology; its team's cardiologist leaves on 2025-03-20,
    its general surgeon stays the year; a surgery logged each month on site."""
    f.TwinningFactory(program=world.bj_lhasa, specialty=f.specialty("cardiology"), donor_hospital=world.bj_friendship)
    team = f.TeamFactory(program=world.bj_lhasa, code="BJ-LHASA-B10", start_date=D(2025, 1, 1), end_date=D(2025, 12, 31))
    f.RotationFactory(
        team=team, person=f.PersonFactory(name="Wang Wei"), specialty=f.specialty("cardiology"),
        start_date=D(2025, 1, 1), end_date=D(2025, 3, 20),
    )
    for month in (1, 2):
        f.SurgeryFactory(hospital=world.lhasa_peoples, specialty=f.specialty(), team=team, date=D(2025, month, 10))
    return team


def test_a_coordinator_with_a_gap_gets_one_mail_naming_the_department_and_the_day(coordinator, cardiology):
    digests, quiet = send_digests(TODAY)
    assert (len(digests), quiet) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coord@example.org"]
    assert "1 coverage gap ahead" in message.subject
    assert "Cardiology: nobody on site from 2025-03-21" in message.body
    assert "Wang Wei (BJ-LHASA-B10) leaves on 2025-03-20" in message.body
    assert "- Surgeries: 2025-02-10" in message.body and "- Techniques: never" in message.body
    assert "Months with a team on site" not in message.body  # January and February have surgeries


def test_nothing_to_say_sends_nothing(coordinator, cardiology, world):
    f.RotationFactory(
        team=cardiology, specialty=f.specialty("cardiology"), start_date=D(2025, 3, 21), end_date=D(2025, 12, 31),
    )
    digests, quiet = send_digests(TODAY)
    assert (digests, quiet) == ([], 1)
    assert mail.outbox == []


def test_months_on_site_with_nothing_logged_are_named(coordinator, cardiology, world):
    f.RotationFactory(
        team=cardiology, specialty=f.specialty("cardiology"), start_date=D(2025, 3, 21), end_date=D(2025, 12, 31),
    )
    old = f.TeamFactory(program=world.bj_lhasa, start_date=D(2024, 5, 1), end_date=D(2024, 7, 31))
    f.RotationFactory(team=old, specialty=f.specialty(), start_date=D(2024, 5, 15), end_date=D(2024, 7, 10))
    f.TrainingFactory(trainee=f.TraineeFactory(hospital=world.lhasa_peoples), start_date=D(2024, 6, 3))
    send_digests(TODAY)
    (message,) = mail.outbox
    assert "0 coverage gaps ahead, 1 program with months not logged" in message.subject
    assert "- Beijing aid to Lhasa People's Hospital: 2024-05, 2024-07" in message.body  # June has a training


def test_the_mail_is_in_the_coordinators_language(coordinator, cardiology):
    coordinator.profile.language = "zh-hans"
    coordinator.profile.save()
    send_digests(TODAY)
    (message,) = mail.outbox
    assert "心血管内科" in message.body and "Cardiology" not in message.body
    assert "- 手术: 2025-02-10" in message.body


def test_no_mail_without_an_address_or_to_other_roles(coordinator, official, cardiology):
    coordinator.email = ""
    coordinator.save()
    assert send_digests(TODAY) == ([], 0)
    assert mail.outbox == []


def test_remote_support_has_no_coverage_gaps(world, cardiology):
    world.bj_lhasa.kind = "remote_support"
    world.bj_lhasa.save()
    assert coverage_gaps_ahead([world.bj_lhasa], TODAY) == []


def test_the_definitions_cost_fixed_queries(world, cardiology, django_assert_num_queries):
    for n in range(30):
        f.RotationFactory(
            team=cardiology, specialty=f.specialty("cardiology"),
            start_date=D(2025, 1, 1) + dt.timedelta(days=n), end_date=D(2025, 3, 1) + dt.timedelta(days=n),
        )
    programs = [world.bj_lhasa]
    with django_assert_num_queries(2):
        (gap,) = coverage_gaps_ahead(programs, TODAY)
    assert gap.day == D(2025, 3, 31)
    with django_assert_num_queries(3):
        assert silent_months(programs, TODAY) == []
    with django_assert_num_queries(7):
        assert len(last_logged(programs, TODAY)) == 7


def test_the_command_says_what_it_sent(coordinator, cardiology):
    out = StringIO()
    call_command("send_digests", stdout=out)
    assert len(mail.outbox) <= 1  # today's date, not TODAY: whatever the data says then
    assert "coordinator(s) with nothing to say" in out.getvalue()
