"""Coordinator forms: every model rule gives the same message through the
form as through full_clean() (the importer's messages); choices and writes
stay within the coordinator's scope; the surgery form remembers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.forms import OUT_OF_SCOPE
from outcomes.models import Referral, Surgery, Trainee, Training
from tests import factories as f


def model_messages(obj):
    """Every message full_clean() gives for `obj`."""
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return [m for ms in excinfo.value.message_dict.values() for m in ms]


def form_messages(response):
    form = response.context["form"]
    return [m for ms in form.errors.values() for m in ms]


def assert_same_messages(model_obj, response, expected):
    assert response.status_code == 200, "the form should be shown again with its errors"
    from_model = [m for m in model_messages(model_obj) if expected in m]
    assert from_model, f"the model does not say {expected!r}: {model_messages(model_obj)}"
    shown = form_messages(response)
    for message in from_model:
        assert message in shown, f"{message!r} not among the form's {shown}"
    assert expected in response.content.decode()


OTHER_SPECIALTY = "orthopedics"


def surgery_data(**overrides):
    data = {
        "procedure": "Appendectomy", "grade": "2", "approach": "open", "lead": "local",
        "outcome": "success", "date": "2024-03-05", "hospital": "LS-PEOPLES",
        "specialty": "general_surgery", "team": "", "blood_loss_ml": "", "ref": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator)
    return client


# --- surgeries --------------------------------------------------------------------

SURGERY_RULES = [
    ({"grade": "5"}, {"grade": 5}, "is not a valid choice"),
    ({"approach": "keyhole"}, {"approach": "keyhole"}, "is not a valid choice"),
    ({"blood_loss_ml": "-1"}, {"blood_loss_ml": -1}, "greater than or equal to 0"),
    ({"ref": "bad ref!"}, {"ref": "bad ref!"}, "Use letters, digits"),
]


@pytest.mark.parametrize(("post", "attrs", "expected"), SURGERY_RULES)
def test_surgery_form_rules_match_the_model(post, attrs, expected, world, coord_client):
    response = coord_client.post(reverse("outcomes:surgery_create"), surgery_data(**post))
    base = dict(ref="S1", date=dt.date(2024, 3, 5), hospital=world.lhasa_peoples,
                specialty=f.specialty(), procedure="x", grade=2, approach="open",
                lead="local", outcome="success")
    assert_same_messages(Surgery(**{**base, **attrs}), response, expected)
    assert not Surgery.objects.exists()


def test_surgery_ref_must_be_unique(world, coord_client):
    f.SurgeryFactory(ref="S-1", hospital=world.lhasa_peoples)
    response = coord_client.post(reverse("outcomes:surgery_create"), surgery_data(ref="S-1"))
    again = f.SurgeryFactory.build(ref="S-1", hospital=world.lhasa_peoples)
    assert_same_messages(again, response, "already exists")


def test_surgery_saved_shows_the_record_and_where_it_counts(world, coordinator, coord_client):
    response = coord_client.post(reverse("outcomes:surgery_create"), surgery_data())
    surgery = Surgery.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:surgery", args=[surgery.pk])
    assert surgery.ref.startswith("S-")  # numbered automatically
    page = coord_client.get(response["Location"]).content.decode()
    assert 'href="/regions/540000/?date_after=2024-03-01&amp;date_before=2024-03-31"' in page
    assert "Appendectomy" in page


def test_surgery_form_defaults_and_remembers(world, coord_client):
    team = f.TeamFactory(code="BJ-LHASA-9", program=world.bj_lhasa, batch=9)
    form = coord_client.get(reverse("outcomes:surgery_create")).context["form"]
    assert form.initial["date"] == timezone.localdate()
    assert form.initial["outcome"] == "success"
    assert form.initial["hospital"] == "LS-PEOPLES"  # the only one to choose
    assert "autofocus" in form.fields["specialty"].widget.attrs
    response = coord_client.post(
        reverse("outcomes:surgery_create"),
        surgery_data(specialty=OTHER_SPECIALTY, team=team.code, save_another="1"),
    )
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:surgery_create")
    page = coord_client.get(response["Location"])
    form = page.context["form"]
    assert form.initial["hospital"] == "LS-PEOPLES"
    assert form.initial["team"] == team.code
    assert form.initial["specialty"] == OTHER_SPECIALTY
    assert "autofocus" in form.fields["procedure"].widget.attrs
    assert "Saved surgery" in page.content.decode()  # and a link to it and where it counts


def test_surgery_form_offers_only_the_coordinators_hospitals_and_teams(world, coord_client):
    f.TeamFactory(code="BJ-LHASA-2", program=world.bj_lhasa, batch=2)
    f.TeamFactory(code="SH-XIGAZE-2", program=world.sh_xigaze, batch=2)
    form = coord_client.get(reverse("outcomes:surgery_create")).context["form"]
    assert [h.code for h in form.fields["hospital"].queryset] == ["LS-PEOPLES"]
    assert [t.code for t in form.fields["team"].queryset] == ["BJ-LHASA-2"]


def test_surgery_at_another_programs_hospital_is_refused(world, coord_client):
    response = coord_client.post(reverse("outcomes:surgery_create"), surgery_data(hospital="XG-PEOPLES"))
    assert "hospital" in response.context["form"].errors
    assert not Surgery.objects.exists()


def test_admin_may_log_anywhere(world, admin_user, client):
    client.force_login(admin_user)
    response = client.post(reverse("outcomes:surgery_create"), surgery_data(hospital="XJ-CHILDREN"))
    assert response.status_code == 302
    assert Surgery.objects.get().hospital_id == "XJ-CHILDREN"


def test_surgery_edit_keeps_ref_and_records_the_change(world, coordinator, coord_client):
    surgery = f.SurgeryFactory(ref="S-9", hospital=world.lhasa_peoples, grade=2)
    response = coord_client.post(
        reverse("outcomes:surgery_update", args=[surgery.pk]),
        surgery_data(ref="", grade="4", procedure=surgery.procedure),
    )
    assert response.status_code == 302
    surgery.refresh_from_db()
    assert (surgery.ref, surgery.grade) == ("S-9", 4)
    latest = surgery.history.first()
    assert latest.history_type == "~" and latest.history_user == coordinator


# --- trainings --------------------------------------------------------------------

def training_data(**overrides):
    data = {
        "trainee_code": "L-1", "trainee_name": "Dawa", "trainee_hospital": "LS-PEOPLES",
        "trainee_role": "doctor", "specialty": "general_surgery", "kind": "mentorship",
        "host_hospital": "", "program": "BJ-LHASA", "start_date": "2024-01-01",
        "end_date": "2024-06-30", "hours": "", "status": "completed", "independent_on": "",
        "skill": "", "ref": "",
    }
    data.update(overrides)
    return data


def _training(world, **attrs):
    trainee = Trainee(code="L-1", name="Dawa", hospital=world.lhasa_peoples, role="doctor")
    base = dict(ref="TR1", trainee=trainee, specialty=f.specialty(), kind="mentorship",
                start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 6, 30), status="completed")
    return Training(**{**base, **attrs})


TRAINING_RULES = [
    ({"kind": "further_study"}, {"kind": "further_study"}, "host hospital is required for further study"),
    ({"host_hospital": "SH-RENJI"}, {"host_hospital_id": "SH-RENJI"}, "only for further study"),
    ({"end_date": "2023-12-31"}, {"end_date": dt.date(2023, 12, 31)}, "The end date must not be before the start date."),
    ({"hours": "-2"}, {"hours": -2}, "greater than or equal to 0"),
    ({"status": "paused"}, {"status": "paused"}, "is not a valid choice"),
]


@pytest.mark.parametrize(("post", "attrs", "expected"), TRAINING_RULES)
def test_training_form_rules_match_the_model(post, attrs, expected, world, coord_client):
    response = coord_client.post(reverse("outcomes:training_create"), training_data(**post))
    obj = _training(world, **attrs)
    obj.trainee.save()  # the model check needs the trainee to exist
    try:
        assert_same_messages(obj, response, expected)
    finally:
        obj.trainee.delete()
    assert not Training.objects.exists()


def test_training_creates_then_updates_its_trainee(world, coordinator, coord_client):
    response = coord_client.post(reverse("outcomes:training_create"), training_data())
    assert response.status_code == 302
    trainee = Trainee.objects.get(code="L-1")
    assert (trainee.name, trainee.role) == ("Dawa", "doctor")
    response = coord_client.post(
        reverse("outcomes:training_create"), training_data(trainee_role="nurse", start_date="2024-07-01", end_date="")
    )
    assert response.status_code == 302
    assert Trainee.objects.get(code="L-1").role == "nurse"
    assert Training.objects.filter(trainee__code="L-1").count() == 2
    assert Trainee.objects.get(code="L-1").history.first().history_user == coordinator


def test_trainee_name_must_agree(world, coord_client):
    f.TraineeFactory(code="L-1", name="Dawa", hospital=world.lhasa_peoples)
    response = coord_client.post(reverse("outcomes:training_create"), training_data(trainee_name="Pasang"))
    assert response.context["form"].errors["trainee_name"] == [
        "Trainee L-1 is recorded as “Dawa”, not “Pasang”; a trainee's name must agree across "
        "records. Correct the name, or use another trainee ID."
    ]
    assert not Training.objects.exists()


def test_trainee_of_another_programs_hospital_is_refused(world, coord_client):
    f.TraineeFactory(code="L-1", name="Dawa", hospital=world.xigaze_peoples)
    response = coord_client.post(reverse("outcomes:training_create"), training_data())
    assert "not a hospital of your programs" in response.context["form"].errors["trainee_code"][0]
    assert Trainee.objects.get(code="L-1").hospital_id == "XG-PEOPLES"


# --- techniques, referrals, consultations -------------------------------------------

def test_technique_form_creates_within_scope(world, coord_client):
    data = {"name": "PCNL", "hospital": "LS-PEOPLES", "specialty": "general_surgery",
            "introduced_on": "2024-05-01", "program": "BJ-LHASA", "ref": ""}
    assert coord_client.post(reverse("outcomes:technique_create"), data).status_code == 302
    data["program"] = "SH-XIGAZE"
    response = coord_client.post(reverse("outcomes:technique_create"), data)
    assert "program" in response.context["form"].errors


def referral_data(**overrides):
    data = {
        "date": "2024-05-01", "kind": "transfer_in", "origin_hospital": "", "origin_region": "542500",
        "origin_country": "", "destination_hospital": "LS-PEOPLES", "destination_region": "",
        "age_group": "neonate", "distance_km": "1650", "duration_hours": "", "outcome": "", "ref": "",
    }
    data.update(overrides)
    return data


REFERRAL_RULES = [
    # a transfer in must come from a region or a hospital, not both
    ({"origin_hospital": "PL-COUNTY"}, {"origin_hospital_id": "PL-COUNTY"}),
    # an international patient comes from a country
    ({"kind": "international"}, {"kind": "international"}),
    # a referral out leaves a hospital
    ({"kind": "referral_out", "destination_hospital": "", "destination_region": "110000",
      "origin_region": "", "origin_hospital": ""},
     {"kind": "referral_out", "destination_hospital": None, "destination_region_id": "110000",
      "origin_region": None}),
]


@pytest.mark.parametrize(("post", "attrs"), REFERRAL_RULES)
def test_referral_form_rules_match_the_model(post, attrs, world, coord_client):
    response = coord_client.post(reverse("outcomes:referral_create"), referral_data(**post))
    base = dict(ref="RF1", date=dt.date(2024, 5, 1), kind="transfer_in", origin_region=world.ngari,
                destination_hospital=world.lhasa_peoples, age_group="neonate")
    assert_same_messages(Referral(**{**base, **attrs}), response, "Origin and destination do not fit the kind")
    assert not Referral.objects.exists()


def test_referral_must_touch_one_of_the_coordinators_hospitals(world, coord_client):
    response = coord_client.post(
        reverse("outcomes:referral_create"), referral_data(destination_hospital="XJ-CHILDREN")
    )
    assert response.context["form"].non_field_errors() == [str(OUT_OF_SCOPE)]
    assert not Referral.objects.exists()
    response = coord_client.post(reverse("outcomes:referral_create"), referral_data())
    assert response.status_code == 302


def test_referral_distance_not_negative(world, coord_client):
    response = coord_client.post(reverse("outcomes:referral_create"), referral_data(distance_km="-5"))
    obj = Referral(ref="RF1", date=dt.date(2024, 5, 1), kind="transfer_in", origin_region=world.ngari,
                   destination_hospital=world.lhasa_peoples, age_group="neonate", distance_km=-5)
    assert_same_messages(obj, response, "greater than or equal to 0")


def test_consultation_form_limits_the_requesting_hospital(world, coord_client):
    data = {"date": "2024-05-01", "requesting_hospital": "LS-PEOPLES", "consulting_hospital": "SH-RENJI",
            "specialty": "general_surgery", "mode": "remote", "ref": ""}
    assert coord_client.post(reverse("outcomes:consultation_create"), data).status_code == 302
    data["requesting_hospital"] = "XJ-CHILDREN"
    response = coord_client.post(reverse("outcomes:consultation_create"), data)
    assert "requesting_hospital" in response.context["form"].errors
    data.update(requesting_hospital="LS-PEOPLES", mode="video")
    response = coord_client.post(reverse("outcomes:consultation_create"), data)
    assert response.context["form"].errors["mode"] == ["Value 'video' is not a valid choice."]


def test_referral_out_counts_at_its_origin(world, coord_client):
    response = coord_client.post(reverse("outcomes:referral_create"), referral_data(
        kind="referral_out", origin_region="", origin_hospital="LS-PEOPLES",
        destination_hospital="", destination_region="110000", date="2024-02-10"))
    assert response.status_code == 302
    page = coord_client.get(response["Location"]).content.decode()
    assert "/regions/540000/?date_after=2024-02-01&amp;date_before=2024-02-29" in page
