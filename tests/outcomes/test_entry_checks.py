"""Checks at entry in the forms, the same rules as the importer's
(tests/interchange/test_entry_checks.py): an event dated after today is
refused on its field; a quality warning (a surgery when its team was not in
the field, a surgery under another hospital's team, a rotation outside its
team's dates) stops the first save, shows the warning with a "Save anyway"
box, and the confirmed form saves."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from deployments.models import Rotation
from outcomes.models import Consultation, IndicatorValue, Referral, Surgery, Technique, Training
from tests import factories as f

from .test_forms import surgery_data

pytestmark = pytest.mark.django_db


def tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def refused_message():
    return f"Not after today ({timezone.localdate().isoformat()})"


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def team8(world):
    return f.TeamFactory(code="BJ-LHASA-8", program=world.bj_lhasa, batch=8,
                         start_date=dt.date(2023, 7, 1), end_date=dt.date(2024, 6, 30))


def field_errors(response, name):
    return response.context["form"].errors.get(name, [])


# --- events after today are refused ------------------------------------------------


def test_a_surgery_dated_after_today_is_refused_on_its_date(world, coord_client):
    response = coord_client.post(reverse("outcomes:surgery_create"), surgery_data(date=tomorrow().isoformat()))
    assert response.status_code == 200
    assert any(m.startswith(refused_message()) for m in field_errors(response, "date"))
    assert refused_message() in response.content.decode()
    assert not Surgery.objects.exists()


def test_a_surgery_dated_today_is_saved(world, coord_client):
    response = coord_client.post(reverse("outcomes:surgery_create"),
                                 surgery_data(date=timezone.localdate().isoformat()))
    assert response.status_code == 302
    assert Surgery.objects.get().date == timezone.localdate()


def test_a_consultation_dated_after_today_is_refused_on_its_date(world, coord_client):
    response = coord_client.post(reverse("outcomes:consultation_create"), {
        "date": tomorrow().isoformat(), "requesting_hospital": "LS-PEOPLES",
        "consulting_hospital": "BJ-FRIENDSHIP", "specialty": "cardiology", "mode": "remote", "ref": "",
    })
    assert any(m.startswith(refused_message()) for m in field_errors(response, "date"))
    assert not Consultation.objects.exists()


def test_a_technique_introduced_after_today_is_refused_on_its_date(world, coord_client):
    response = coord_client.post(reverse("outcomes:technique_create"), {
        "name": "ECMO", "hospital": "LS-PEOPLES", "specialty": "cardiology",
        "introduced_on": tomorrow().isoformat(), "program": "", "ref": "",
    })
    assert any(m.startswith(refused_message()) for m in field_errors(response, "introduced_on"))
    assert not Technique.objects.exists()


@pytest.mark.parametrize(("factory", "field"), [
    (f.SurgeryFactory, "date"),
    (f.TechniqueFactory, "introduced_on"),
    (f.ReferralFactory, "date"),
    (f.ConsultationFactory, "date"),
    (f.TrainingFactory, "independent_on"),
])
def test_every_event_date_after_today_is_refused_by_the_model(world, factory, field):
    record = factory.build(**{field: tomorrow()})
    with pytest.raises(ValidationError) as excinfo:
        record.clean()
    assert list(excinfo.value.message_dict) == [field]
    setattr(record, field, timezone.localdate())
    record.clean()  # today is fine


def test_an_indicator_of_next_month_is_refused_and_this_month_is_not(world):
    this_month = timezone.localdate().replace(day=1)
    later = (this_month + dt.timedelta(days=32)).replace(day=1)
    value = IndicatorValue(hospital=world.lhasa_peoples, period=later, indicator="outpatient_visits", value=5)
    with pytest.raises(ValidationError) as excinfo:
        value.clean()
    assert list(excinfo.value.message_dict) == ["period"]
    value.period = this_month
    value.clean()


def test_planned_training_may_start_after_today(world):
    training = f.TrainingFactory.build(start_date=tomorrow(), end_date=tomorrow() + dt.timedelta(days=30))
    training.clean()
    assert Training.event_date_fields == ("independent_on",)


def test_referral_model_lists_its_event_date():
    assert Referral.event_date_fields == ("date",)


# --- quality warnings need a confirmation --------------------------------------------

OUT_OF_FIELD = "Team BJ-LHASA-8 was not in the field on 2025-08-05 (it was from 2023-07-01 to 2024-06-30)."


def test_a_surgery_when_its_team_was_not_in_the_field_needs_a_confirmation(team8, coord_client):
    data = surgery_data(date="2025-08-05", team="BJ-LHASA-8")
    response = coord_client.post(reverse("outcomes:surgery_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert OUT_OF_FIELD in page
    assert 'name="save_anyway"' in page and "Save anyway" in page
    assert field_errors(response, "save_anyway") == [
        "Check the warnings above; tick this box to save the record as it is."]
    assert not Surgery.objects.exists()
    response = coord_client.post(reverse("outcomes:surgery_create"), {**data, "save_anyway": "on"})
    assert response.status_code == 302
    assert Surgery.objects.get().team_id == "BJ-LHASA-8"


def test_a_surgery_under_another_hospitals_team_needs_a_confirmation(world, coordinator, coord_client):
    xigaze = f.TeamFactory(code="SH-XIGAZE-3", program=world.sh_xigaze, batch=3)
    coordinator.profile.programs.add(world.sh_xigaze)  # may log for both hospitals
    data = surgery_data(date="2024-03-05", team=xigaze.code, hospital="LS-PEOPLES")
    response = coord_client.post(reverse("outcomes:surgery_create"), data)
    assert response.status_code == 200
    assert (
        "Team SH-XIGAZE-3 works at Xigaze People&#x27;s Hospital, not at Lhasa People&#x27;s Hospital "
        "where this surgery was." in response.content.decode()
    )
    assert not Surgery.objects.exists()
    response = coord_client.post(reverse("outcomes:surgery_create"), {**data, "save_anyway": "on"})
    assert response.status_code == 302
    assert Surgery.objects.team_of_other_hospital().get().team_id == "SH-XIGAZE-3"


def test_a_surgery_without_warnings_saves_at_once_and_shows_no_box(team8, coord_client):
    page = coord_client.get(reverse("outcomes:surgery_create")).content.decode()
    assert 'name="save_anyway"' not in page
    response = coord_client.post(reverse("outcomes:surgery_create"),
                                 surgery_data(date="2024-03-05", team="BJ-LHASA-8"))
    assert response.status_code == 302


def test_editing_a_surgery_with_a_warning_asks_again(team8, coord_client, world):
    surgery = f.SurgeryFactory(hospital=world.lhasa_peoples, team=team8, date=dt.date(2025, 8, 5))
    data = surgery_data(date="2025-08-05", team="BJ-LHASA-8", ref=surgery.ref, procedure="Hernia repair")
    response = coord_client.post(reverse("outcomes:surgery_update", args=[surgery.pk]), data)
    assert response.status_code == 200 and OUT_OF_FIELD in response.content.decode()
    response = coord_client.post(reverse("outcomes:surgery_update", args=[surgery.pk]), {**data, "save_anyway": "on"})
    assert response.status_code == 302
    surgery.refresh_from_db()
    assert surgery.procedure == "Hernia repair"


def rotation_data(**overrides):
    data = {
        "person_code": "E-1", "person_name": "Li Wei", "person_home_hospital": "BJ-FRIENDSHIP",
        "team": "BJ-LHASA-8", "specialty": "general_surgery", "title": "attending", "role": "member",
        "start_date": "2024-05-01", "end_date": "2024-08-31",
    }
    data.update(overrides)
    return data


def test_a_rotation_outside_its_teams_dates_needs_a_confirmation(team8, coord_client):
    response = coord_client.post(reverse("deployments:rotation_create"), rotation_data())
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "This rotation (2024-05-01 – 2024-08-31) lies outside the dates of its team BJ-LHASA-8 "
        "(2023-07-01 – 2024-06-30)." in page
    )
    assert 'name="save_anyway"' in page
    assert not Rotation.objects.exists()
    response = coord_client.post(reverse("deployments:rotation_create"), {**rotation_data(), "save_anyway": "on"})
    assert response.status_code == 302
    assert Rotation.objects.outside_team_dates().get().person_id == "E-1"


def test_a_rotation_within_its_teams_dates_shows_no_box(team8, coord_client):
    response = coord_client.get(reverse("deployments:rotation_create"))
    assert 'name="save_anyway"' not in response.content.decode()
    response = coord_client.post(reverse("deployments:rotation_create"),
                                 rotation_data(start_date="2023-07-01", end_date="2024-06-30"))
    assert response.status_code == 302


def test_the_warnings_record_method_and_queryset_agree(world, team8):
    xigaze = f.TeamFactory(code="SH-XIGAZE-3", program=world.sh_xigaze, batch=3,
                           start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    cases = {
        "fine": (team8, dt.date(2024, 3, 5)),
        "first-day": (team8, dt.date(2023, 7, 1)),
        "last-day": (team8, dt.date(2024, 6, 30)),
        "day-after": (team8, dt.date(2024, 7, 1)),
        "day-before": (team8, dt.date(2023, 6, 30)),
        "other-hospital": (xigaze, dt.date(2024, 3, 5)),
        "both": (xigaze, dt.date(2025, 3, 5)),
        "no-team": (None, dt.date(2025, 3, 5)),
    }
    for ref, (team, day) in cases.items():
        f.SurgeryFactory(ref=ref, hospital=world.lhasa_peoples, team=team, date=day)
    by_method = {s.ref: len(s.quality_warnings()) for s in Surgery.objects.all()}
    dates = set(Surgery.objects.outside_team_dates().values_list("ref", flat=True))
    hospitals = set(Surgery.objects.team_of_other_hospital().values_list("ref", flat=True))
    assert dates == {"day-after", "day-before", "both"}
    assert hospitals == {"other-hospital", "both"}
    assert by_method == {ref: (ref in dates) + (ref in hospitals) for ref in cases}
    for start, end in [("2023-07-01", "2024-06-30"), ("2023-06-30", "2024-01-01"), ("2024-01-01", "2024-07-01")]:
        f.RotationFactory(team=team8, start_date=dt.date.fromisoformat(start), end_date=dt.date.fromisoformat(end))
    outside = set(Rotation.objects.outside_team_dates().values_list("pk", flat=True))
    assert outside == {r.pk for r in Rotation.objects.all() if r.quality_warnings()}
    assert len(outside) == 2
