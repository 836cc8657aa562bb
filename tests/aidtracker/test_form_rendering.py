"""How the forms read (templates/includes/form_fields.html, form_field.html):
every error shown once, under its field or, when it belongs to no field, above
the form; labels capitalised alike, with no colon; a checkbox before its
label; buttons styled as the site's; "Saved ..." said once."""

import html
import re

import pytest
from django.urls import reverse

from tests import factories as f
from tests.deployments.test_forms import rotation_data
from tests.outcomes.test_forms import surgery_data

ERRORLIST = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
ITEM = re.compile(r"<li>(.*?)</li>", re.S)
FIELD = re.compile(r'<div class="field[^"]*" id="field-([a-z_0-9]+)">(.*?)\n</div>', re.S)


def main(response):
    page = response.content.decode()
    return page[page.index("<main"):page.index("</main>")]


def shown_errors(page):
    """Every error message on the page, as often as it is shown."""
    return [html.unescape(m) for block in ERRORLIST.findall(page) for m in ITEM.findall(block)]


def assert_each_error_once(response):
    assert response.status_code == 200
    page = main(response)
    form = response.context["form"]
    expected = [m for messages in form.errors.values() for m in messages]
    assert expected, "the form should have errors"
    assert sorted(shown_errors(page)) == sorted(expected)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for message in expected:
        assert text.count(message) == expected.count(message), message
    # A field's errors are under that field; the others above the form.
    fields = dict(FIELD.findall(page))
    for name, messages in form.errors.items():
        where = fields[name] if name != "__all__" else page[page.index('<div class="errors"'):]
        for message in messages:
            assert html.escape(message, quote=True) in where or message in html.unescape(where), (name, message)
    return page


@pytest.fixture
def admin_client(client, admin_user, world):
    client.force_login(admin_user)
    return client


@pytest.fixture
def team(world):
    return f.TeamFactory(code="BJ-LHASA-8", program=world.bj_lhasa, batch=8)


def test_every_required_field_says_so_once(admin_client, team):
    for name in ("surgery", "training", "rotation", "technique", "referral", "consultation"):
        namespace = "deployments" if name == "rotation" else "outcomes"
        response = admin_client.post(reverse(f"{namespace}:{name}_create"), {"ref": ""})
        page = assert_each_error_once(response)
        assert page.count("This field is required.") == sum(
            list(ms).count("This field is required.") for ms in response.context["form"].errors.values()
        ), name


def test_a_rule_of_the_record_is_said_once_above_the_form(admin_client, team):
    response = admin_client.post(
        reverse("deployments:rotation_create"), rotation_data(team, end_date="2023-01-01")
    )
    page = assert_each_error_once(response)
    assert page.count("The end date must not be before the start date.") == 1
    assert response.context["form"].non_field_errors()


def test_a_reference_taken_is_said_once_under_its_field(admin_client, world):
    f.SurgeryFactory(ref="S-1", hospital=world.lhasa_peoples)
    response = admin_client.post(reverse("outcomes:surgery_create"), surgery_data(ref="S-1", blood_loss_ml="-5"))
    page = assert_each_error_once(response)
    assert "ref" in response.context["form"].errors and "blood_loss_ml" in response.context["form"].errors
    assert page.count("Surgery with this Reference already exists.") == 1


def test_a_trainee_whose_name_disagrees_is_said_once(admin_client, world):
    trainee = f.TraineeFactory(code="T-1", name="Tsering Dolma", hospital=world.lhasa_peoples)
    f.TrainingFactory(trainee=trainee)
    response = admin_client.post(reverse("outcomes:training_create"), {
        "trainee_code": "T-1", "trainee_name": "Someone Else", "trainee_hospital": "LS-PEOPLES",
        "trainee_role": "doctor", "specialty": "general_surgery", "kind": "further_study",
        "start_date": "2024-05-01", "end_date": "2024-04-01", "status": "ongoing",
    })
    assert_each_error_once(response)


def test_password_and_sign_in_errors_are_said_once(client, admin_user):
    response = client.post(reverse("login"), {"username": "admin", "password": "wrong"})
    page = assert_each_error_once(response)
    assert '<div class="errors" role="alert">' in page
    client.force_login(admin_user)
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "pw2", "new_password2": "pw3",
    })
    assert_each_error_once(response)


def test_labels_are_capitalised_without_a_colon_and_checkboxes_come_first(admin_client, team):
    for url in ("/surgeries/new/", "/trainings/new/", "/rotations/new/", "/techniques/new/",
                "/referrals/new/", "/consultations/new/", "/accounts/password/"):
        page = main(admin_client.get(url))
        labels = re.findall(r'<label for="id_[a-z_0-9]+">([^<]*)</label>', page)
        assert labels, url
        for label in labels:
            assert label[0].isupper() and not label.endswith(":"), (url, label)
    # "trainee ID", "person ID", "home hospital" were lower case: labels of
    # the forms' own fields, which Django does not capitalise as it does a
    # model field's verbose name.
    assert "Trainee ID" in main(admin_client.get("/trainings/new/"))
    assert "Home hospital" in main(admin_client.get("/rotations/new/"))
    page = main(admin_client.get("/surgeries/new/"))
    check = re.search(r'<div class="field__check"><input type="checkbox" name="demonstration"[^>]*>'
                      r'<label for="id_demonstration">Demonstration</label></div>', page)
    assert check, "the checkbox sits before its label"


def test_buttons_are_the_sites(admin_client, team, world):
    surgery = f.SurgeryFactory(ref="S-1", hospital=world.lhasa_peoples)
    for url in ("/surgeries/new/", "/trainings/new/", f"/surgeries/{surgery.pk}/delete/", "/accounts/password/"):
        page = main(admin_client.get(url))
        buttons = re.findall(r"<button[^>]*>", page)
        assert buttons, url
        assert all('class="button' in b for b in buttons), (url, buttons)
    assert 'class="button button--danger"' in main(admin_client.get(f"/surgeries/{surgery.pk}/delete/"))


def test_save_and_log_another_says_saved_once(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("outcomes:surgery_create"), surgery_data(save_another="1"), follow=True)
    page = response.content.decode()
    assert page.count("Saved surgery") == 1
    ref = f"S-{page.split('Saved surgery S-', 1)[1].split('.', 1)[0]}"
    assert f"Show surgery {ref}" in page  # the link back to it, under the heading
