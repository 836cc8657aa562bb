"""The rotation form: the model's rules with the model's messages, the
person created or updated with the name-must-agree rule, teams in scope."""

import datetime as dt

import pytest
from django.urls import reverse

from deployments.models import Person, Rotation
from tests import factories as f


@pytest.fixture
def team(world):
    return f.TeamFactory(code="BJ-LHASA-8", program=world.bj_lhasa, batch=8)


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator)
    return client


def rotation_data(team, **overrides):
    data = {
        "person_code": "E-1", "person_name": "Li Wei", "person_home_hospital": "BJ-FRIENDSHIP",
        "team": team.code, "specialty": "general_surgery", "title": "attending", "role": "member",
        "start_date": "2024-01-01", "end_date": "2024-06-30",
    }
    data.update(overrides)
    return data


def errors(response):
    return [m for ms in response.context["form"].errors.values() for m in ms]


def test_rotation_creates_the_person(team, coordinator, coord_client):
    response = coord_client.post(reverse("deployments:rotation_create"), rotation_data(team))
    assert response.status_code == 302
    rotation = Rotation.objects.get()
    assert (rotation.person.code, rotation.person.name) == ("E-1", "Li Wei")
    assert rotation.history.get().history_user == coordinator


def test_rotation_dates_ordered(team, coord_client):
    response = coord_client.post(reverse("deployments:rotation_create"), rotation_data(team, end_date="2023-01-01"))
    assert "The end date must not be before the start date." in errors(response)
    assert not Person.objects.exists()


def test_overlapping_rotation_message_is_the_models(world, team, coord_client):
    other = f.TeamFactory(code="BJ-LHASA-7", program=world.bj_lhasa, batch=7)
    person = f.PersonFactory(code="E-1", name="Li Wei", home_hospital=world.bj_friendship)
    f.RotationFactory(team=other, person=person)
    response = coord_client.post(reverse("deployments:rotation_create"), rotation_data(team, start_date="2024-03-01"))
    clash = Rotation(team=team, person=person, specialty=f.specialty(), title="attending", role="member",
                     start_date=dt.date(2024, 3, 1), end_date=dt.date(2024, 6, 30))
    from tests.outcomes.test_forms import model_messages

    expected = [m for m in model_messages(clash) if "may not overlap" in m]
    assert expected and expected[0] in errors(response)


def test_one_rotation_per_person_and_team(world, team, coord_client):
    person = f.PersonFactory(code="E-1", name="Li Wei", home_hospital=world.bj_friendship)
    f.RotationFactory(team=team, person=person, start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 3, 1))
    response = coord_client.post(reverse("deployments:rotation_create"), rotation_data(team))
    assert "This person already has a rotation with this team." in errors(response)
    assert Rotation.objects.count() == 1


def test_person_name_must_agree_and_home_hospital_updates(world, team, coord_client):
    f.PersonFactory(code="E-1", name="Li Wei", home_hospital=world.bj_friendship)
    response = coord_client.post(reverse("deployments:rotation_create"), rotation_data(team, person_name="Wang Fang"))
    assert response.context["form"].errors["person_name"] == [
        "Person E-1 is recorded as “Li Wei”, not “Wang Fang”; a person's name must agree across "
        "records. Correct the name, or use another person ID."
    ]
    response = coord_client.post(
        reverse("deployments:rotation_create"), rotation_data(team, person_home_hospital="SH-RENJI")
    )
    assert response.status_code == 302
    assert Person.objects.get(code="E-1").home_hospital_id == "SH-RENJI"


def test_rotation_team_of_another_program_is_refused(world, coord_client):
    other = f.TeamFactory(code="SH-XIGAZE-1", program=world.sh_xigaze, batch=1)
    response = coord_client.post(reverse("deployments:rotation_create"), rotation_data(other))
    assert "team" in response.context["form"].errors
    assert not Rotation.objects.exists()


def test_a_coordinator_cannot_rewrite_a_person_of_another_program(world, team, coord_client, django_user_model):
    """A person's home hospital applies wherever they serve: a coordinator
    may not move someone who also serves with another program; the form
    names who may (that program's coordinator), and nothing changes."""
    from tests.conftest import _make_user

    person = f.PersonFactory(code="E-9", name="Zhao Min", home_hospital=world.bj_friendship)
    shanghai_team = f.TeamFactory(code="SH-XIGAZE-2", program=world.sh_xigaze, batch=2)
    f.RotationFactory(team=shanghai_team, person=person, start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 6, 30))
    _make_user(django_user_model, "sh-coord", "coordinator", programs=[world.sh_xigaze])
    response = coord_client.post(
        reverse("deployments:rotation_create"),
        rotation_data(team, person_code="E-9", person_name="Zhao Min", person_home_hospital="SH-RENJI"),
    )
    message = response.context["form"].errors["person_home_hospital"][0]
    assert "also serves with SH-XIGAZE" in message and "sh-coord" in message
    assert Person.objects.get(code="E-9").home_hospital == world.bj_friendship
    assert not Rotation.objects.filter(team=team).exists()
    # Keeping the home hospital is fine: the rotation is theirs to log.
    response = coord_client.post(
        reverse("deployments:rotation_create"),
        rotation_data(team, person_code="E-9", person_name="Zhao Min", person_home_hospital="BJ-FRIENDSHIP"),
    )
    assert response.status_code == 302


def test_an_admin_may_move_a_person_between_hospitals(world, team, admin_user, client):
    person = f.PersonFactory(code="E-8", name="Sun Li", home_hospital=world.bj_friendship)
    f.RotationFactory(
        team=f.TeamFactory(code="SH-XIGAZE-3", program=world.sh_xigaze, batch=3), person=person,
        start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 6, 30),
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("deployments:rotation_create"),
        rotation_data(team, person_code="E-8", person_name="Sun Li", person_home_hospital="SH-RENJI"),
    )
    assert response.status_code == 302
    assert Person.objects.get(code="E-8").home_hospital_id == "SH-RENJI"
