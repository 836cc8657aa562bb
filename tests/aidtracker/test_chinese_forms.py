"""Sign-in, forms, record pages, import and history pages in Chinese: every
label and table header, and the validation messages."""

import re

import pytest

from tests import factories as f

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def english_words(html):
    """Labels, headers, buttons and legends with English words and no Chinese."""
    found = []
    for pattern in (r"<label[^>]*>(.*?)</label>", r"<th[^>]*>(.*?)</th>", r"<button[^>]*>(.*?)</button>",
                    r"<legend[^>]*>(.*?)</legend>", r"<h1[^>]*>(.*?)</h1>", r"<h2[^>]*>(.*?)</h2>"):
        for text in re.findall(pattern, html, re.S):
            text = re.sub(r"<[^>]+>", " ", text)
            text = re.sub(r"\s+", " ", text).strip()
            if text and re.search(r"[A-Za-z]{3,}", text) and not CJK.search(text):
                found.append(text)
    return found


@pytest.fixture
def surgery(world):
    return f.SurgeryFactory(hospital=world.lhasa_peoples, ref="S-1")


def test_sign_in_page_is_chinese(client):
    response = client.get("/accounts/login/", **ZH)
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "用户名" in html and "密码" in html
    # English words allowed: the language switcher's own name for English.
    assert [w for w in english_words(html) if w != "English"] == []
    assert 'action="/i18n/setlang/"' in html


def test_a_failed_sign_in_says_why_in_chinese(client, django_user_model):
    django_user_model.objects.create_user("dolma", password="right-pw-1")
    html = client.post("/accounts/login/", {"username": "dolma", "password": "wrong"}, **ZH).content.decode()
    assert "请输入一个正确的" in html  # Django's own message, in Chinese


@pytest.mark.parametrize(
    "url",
    ["/surgeries/new/", "/trainings/new/", "/techniques/new/", "/referrals/new/",
     "/consultations/new/", "/rotations/new/", "/import/", "/admin/recent-changes/",
     "/accounts/password/"],
)
def test_form_and_tool_pages_are_chinese(admin_client, world, url):
    response = admin_client.get(url, **ZH)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert re.search(r'<html lang="zh-hans"', html)
    assert [w for w in english_words(html) if w != "English"] == [], url


@pytest.mark.parametrize("suffix", ["", "edit/", "delete/", "history/"])
def test_record_pages_are_chinese(admin_client, surgery, suffix):
    response = admin_client.get(f"/surgeries/{surgery.pk}/{suffix}", **ZH)
    assert response.status_code == 200
    html = response.content.decode()
    assert [w for w in english_words(html) if w != "English"] == [], suffix


def test_an_invalid_surgery_form_answers_in_chinese(admin_client, world):
    response = admin_client.post("/surgeries/new/", {"grade": "7", "date": "2024-13-01"}, **ZH)
    html = response.content.decode()
    assert response.status_code == 200
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    assert errors
    for error in errors:
        assert CJK.search(error), error
