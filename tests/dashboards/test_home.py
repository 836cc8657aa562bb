"""`/` for a coordinator: the worklist of their programs (dashboards/home.py).
Dates are relative to today, as the page's are: BJ-LHASA twins cardiology
and general surgery; its cardiologist left 400 days ago, its general surgeon
leaves in 10 days and the team ends in 20."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from tests.conftest import _make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n):
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def lhasa(world):
    p = world.bj_lhasa
    f.TwinningFactory(program=p, specialty=f.specialty("cardiology"), donor_hospital=world.bj_friendship,
                      start_date=days(-2000))
    f.TwinningFactory(program=p, specialty=f.specialty(), donor_hospital=world.bj_friendship, start_date=days(-2000))
    old = f.TeamFactory(program=p, code="BJ-LHASA-OLD", batch=8, start_date=days(-700), end_date=days(-300))
    f.RotationFactory(team=old, person=f.PersonFactory(name="Li Na"), specialty=f.specialty("cardiology"),
                      start_date=days(-700), end_date=days(-400))
    team = f.TeamFactory(program=p, code="BJ-LHASA-NOW", batch=9, start_date=days(-100), end_date=days(20))
    f.RotationFactory(team=team, person=f.PersonFactory(name="Wang Wei"), specialty=f.specialty(),
                      start_date=days(-100), end_date=days(10))
    return team


def test_the_coordinator_sees_the_gaps_who_is_on_site_and_what_is_missing(client, coordinator, lhasa):
    client.force_login(coordinator)
    page = client.get("/").content.decode()
    assert "My worklist" in page
    # Cardiology: uncovered since the day after Li Na left; listed there
    # only, not again among the gaps ahead (from today).
    assert "Departments uncovered today" in page
    assert f"{days(-399):%Y-%m-%d}" in page and f"{days(-400):%Y-%m-%d}" in page and ">400<" in page
    assert page.count('<th scope="row">Cardiology</th>') == 1
    # General surgery lapses the day after Wang Wei leaves.
    assert f"Wang Wei (BJ-LHASA-NOW) leaves on {days(10):%Y-%m-%d}" in page
    assert f"{days(11):%Y-%m-%d}" in page
    assert f"until {days(10):%Y-%m-%d}" in page  # on site today
    assert f"ends on {days(20):%Y-%m-%d}" in page
    # Nothing logged in the months the team was on site; last logged dates; links to log.
    assert "no surgery or training logged" in page
    assert f"{(TODAY.replace(day=1) - dt.timedelta(days=1)):%Y-%m}" in page
    assert f"<td class=\"nowrap\">{days(-100):%Y-%m-%d}</td>" in page  # the last rotation's start
    assert 'href="/surgeries/new/"' in page and 'href="/rotations/new/"' in page
    assert 'href="/hospitals/LS-PEOPLES/indicators/?month=' in page
    assert "Medical aid at a glance" not in page


def test_a_logged_surgery_clears_its_month_and_shows_as_last_logged(client, coordinator, lhasa, world):
    last_month = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    f.SurgeryFactory(hospital=world.lhasa_peoples, specialty=f.specialty(), team=lhasa, date=last_month)
    client.force_login(coordinator)
    page = client.get("/").content.decode()
    assert f"<td class=\"nowrap\">{last_month:%Y-%m-%d}</td>" in page


def test_a_rotation_planned_for_later_is_not_the_last_logged(client, coordinator, lhasa):
    """A rotation planned to start in 30 days is not work logged: the last
    logged rotation is still the one that began 100 days ago."""
    f.RotationFactory(team=lhasa, person=f.PersonFactory(name="Zhao Lei"), specialty=f.specialty(),
                      start_date=days(30), end_date=days(120))
    client.force_login(coordinator)
    page = client.get("/").content.decode()
    assert f"<td class=\"nowrap\">{days(-100):%Y-%m-%d}</td>" in page
    assert f"<td class=\"nowrap\">{days(30):%Y-%m-%d}</td>" not in page


def test_remote_support_has_no_gaps_on_the_home(client, coordinator, lhasa, world):
    world.bj_lhasa.kind = "remote_support"
    world.bj_lhasa.save()
    client.force_login(coordinator)
    page = client.get("/").content.decode()
    assert "Every twinned department has someone of its specialty on site today." in page
    assert "No coverage gap ahead." in page


def test_a_coordinator_without_programs_is_told_so(client, django_user_model, world):
    client.force_login(_make_user(django_user_model, "lonely", "coordinator", programs=[]))
    page = client.get("/").content.decode()
    assert "No program is assigned to you yet" in page


def test_other_roles_keep_the_overview(client, official, admin_user, lhasa):
    for user in (official, admin_user):
        client.force_login(user)
        page = client.get("/").content.decode()
        assert "Medical aid at a glance" in page and "My worklist" not in page


def test_the_home_is_in_chinese(client, coordinator, lhasa):
    client.force_login(coordinator)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "心血管内科" in page
