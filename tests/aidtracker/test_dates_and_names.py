"""Dates read the same everywhere: ISO (YYYY-MM-DD) on record pages, lists
and history, in English and Chinese, set once in the format modules
(aidtracker/lib/formats/); history names what a code stands for (a
specialty, a hospital) in the reader's language; an import batch's time is
local (settings.TIME_ZONE)."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import ImportBatch
from outcomes.models import Surgery
from tests import factories as f

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def text(response):
    page = response.content.decode()
    page = page[page.index("<main"):page.index("</main>")]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def surgery(world):
    return f.SurgeryFactory(ref="S-1", date=dt.date(2024, 11, 28), hospital=world.lhasa_peoples,
                            specialty_id="cardiology", grade=2)


@pytest.fixture
def signed_in(client, admin_user, settings):
    client.force_login(admin_user)

    def get(url, language):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client.get(url)

    return get


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_record_page_and_its_list_show_the_date_alike(surgery, signed_in, language):
    record = text(signed_in(f"/surgeries/{surgery.pk}/", language))
    listed = text(signed_in("/surgeries/", language))
    assert " 2024-11-28 " in record and " 2024-11-28 " in listed
    for other in ("Nov. 28, 2024", "November 28, 2024", "11/28/2024", "2024年11月28日"):
        assert other not in record and other not in listed
    # A month alone reads in the language.
    month = "November 2024" if language == "en" else "2024年11月"
    assert month in record


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_record_list_shows_iso_dates(world, signed_in, language):
    f.TrainingFactory(start_date=dt.date(2024, 3, 5), end_date=dt.date(2024, 4, 6))
    f.TechniqueFactory(introduced_on=dt.date(2024, 3, 7), hospital=world.lhasa_peoples)
    page = text(signed_in("/trainings/", language))
    assert " 2024-03-05 " in page and " 2024-04-06 " in page
    assert " 2024-03-07 " in text(signed_in("/techniques/", language))


@pytest.mark.parametrize(("language", "specialty", "hospital"), [
    ("en", "Cardiology", "Lhasa People's Hospital"),
    ("zh-hans", "心血管内科", "拉萨市人民医院"),
])
def test_history_names_the_specialty_and_hospital(surgery, world, signed_in, language, specialty, hospital):
    from hospitals.models import Specialty

    surgery.specialty_id, surgery.hospital = "orthopedics", world.xigaze_peoples
    surgery.save()
    page = text(signed_in(reverse("outcomes:surgery_history", args=[surgery.pk]), language))
    orthopedics = Specialty.objects.get(code="orthopedics")
    other = orthopedics.name if language == "en" else (orthopedics.name_zh or orthopedics.name)
    xigaze = "Xigaze People's Hospital" if language == "en" else "日喀则市人民医院"
    assert f"{specialty} → {other}" in page
    assert f"{hospital} → {xigaze}" in page
    assert "cardiology" not in page and "LS-PEOPLES" not in page


def test_history_names_related_records_in_one_query_each(surgery, admin_user, client, django_assert_max_num_queries):
    client.force_login(admin_user)
    url = reverse("outcomes:surgery_history", args=[surgery.pk])
    for code in ("orthopedics", "general_surgery", "cardiology", "urology", "orthopedics"):
        surgery.specialty_id = code
        surgery.save()
    client.get(url)
    # The same bound as tests/accounts/test_history.py's, with five more
    # specialties named: hospitals and specialties are one query each.
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.content.decode().count('class="history-entry"') == 6


def test_history_shows_local_times(surgery, signed_in, settings):
    # Stored in UTC: 2024-11-28 20:30 is 2024-11-29 04:30 in Asia/Shanghai.
    surgery.history.update(history_date=dt.datetime(2024, 11, 28, 20, 30, tzinfo=dt.UTC))
    assert settings.TIME_ZONE == "Asia/Shanghai"
    for language in ("en", "zh-hans"):
        page = text(signed_in(reverse("outcomes:surgery_history", args=[surgery.pk]), language))
        assert " 2024-11-29 04:30 " in page, language


def test_recent_changes_label_an_import_batch_in_local_time(world, admin_user, client):
    from simple_history.utils import bulk_create_with_history

    batch = ImportBatch.objects.create(user=admin_user, file_name="bundle.xlsx", sha256="ab" * 32)
    ImportBatch.objects.filter(pk=batch.pk).update(started_at=dt.datetime(2024, 11, 28, 20, 30, tzinfo=dt.UTC))
    rows = [f.SurgeryFactory.build(hospital=world.lhasa_peoples)]
    bulk_create_with_history(rows, Surgery, default_user=admin_user, custom_historical_attrs={"import_batch": batch})
    client.force_login(admin_user)
    page = client.get(reverse("recent_changes"), **EN).content.decode()
    assert "bundle.xlsx (2024-11-29 04:30)" in page
    assert "2024-11-28 20:30" not in page
    assert timezone.localtime(ImportBatch.objects.get().started_at).hour == 4
