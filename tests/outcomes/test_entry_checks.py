"""Checks at entry in the forms, the same rules as the importer's
(tests/interchange/test_entry_checks.py): an event dated after today is
refused on its field."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

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
