"""The interface language: from the browser, switchable, remembered per user;
pages, the admin and the code lists in Chinese; names, dates and numbers in
the reader's language."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.template import Context, RequestContext, Template
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.utils import translation

from accounts.language import get_user_language, set_user_language
from accounts.models import Profile, Role
from aidtracker.lib.templatetags.bilingual import display_name
from hospitals.models import Hospital, Specialty

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# A page every user can open, signed in or not, whatever their role.
PAGE = "/admin/login/"
PROJECT_APPS = ["audit", "accounts", "hospitals", "deployments", "outcomes", "interchange", "dashboards", "aidtracker"]


def html_lang(response):
    return re.search(r'<html[^>]* lang="([^"]+)"', response.content.decode()).group(1)


# --- chosen from the browser ---------------------------------------------


def h1(response):
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1)


def test_home_page_is_chinese_for_a_chinese_browser(admin_client):
    response = admin_client.get("/", follow=True, **ZH)
    assert response.status_code == 200
    assert html_lang(response) == "zh-hans"
    assert response["Content-Language"] == "zh-hans"
    assert CJK.search(h1(response)), h1(response)
    assert CJK.search(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1))


def test_home_page_is_english_for_an_english_browser(admin_client):
    response = admin_client.get("/", follow=True, **EN)
    assert html_lang(response) == "en"
    assert not CJK.search(h1(response)), h1(response)


def test_admin_login_is_chinese_with_the_switcher(client):
    body = client.get("/admin/login/", **ZH).content.decode()
    assert "Aidtracker 医疗援助台账 · 管理后台" in body
    assert "用户名" in body and "密码" in body  # Django's own zh_Hans catalogue
    assert 'action="/i18n/setlang/"' in body


def test_admin_index_and_lists_show_app_model_and_choice_names_in_chinese(admin_client, world):
    body = admin_client.get("/admin/", **ZH).content.decode()
    for label in ["基础数据", "援派部署", "帮扶成效", "审计", "医院", "行政区", "医疗队", "轮换派驻", "手术"]:
        assert label in body, label
    assert "Aidtracker 医疗援助台账 · 管理后台" in body and "最近动作" in body
    hospitals = admin_client.get("/admin/hospitals/hospital/", **ZH).content.decode()
    assert "三级甲等" in hospitals and "儿童医院" in hospitals
    assert "Grade 3A" not in hospitals


def test_admin_validation_messages_are_chinese(admin_client, world):
    response = admin_client.post(
        "/admin/hospitals/region/add/",
        {"code": "54", "name": "Bad", "name_zh": "", "level": "county"},
        **ZH,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "请更正以下错误。" in body  # Django's admin catalogue
    assert "行政区划代码为六位数字（GB/T 2260），例如 540000。" in body  # a field validator
    assert "省级行政区没有上级；地级或县级行政区必须指定上级。" in body  # a check constraint


# --- switchable on every page --------------------------------------------


def test_switching_to_english_sticks_over_a_chinese_browser(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"}, **ZH)
    assert response.status_code == 302 and response["Location"] == "/admin/login/"
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["max-age"] == 365 * 24 * 3600 and cookie["samesite"] == "Lax"
    assert html_lang(client.get("/admin/login/", **ZH)) == "en"
    assert "Log in" in client.get("/admin/login/", **ZH).content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/login/"}, **EN)
    assert html_lang(client.get("/admin/login/", **EN)) == "zh-hans"


def test_switcher_posts_to_set_language_with_the_current_page_and_no_script(rf):
    request = rf.get("/programs/?kind=group_aid")
    with translation.override("zh-hans"):
        html = Template('{% include "includes/language_switcher.html" %}').render(
            RequestContext(request, {})
        )
    assert 'action="/i18n/setlang/"' in html and 'method="post"' in html
    assert 'name="next" value="/programs/?kind=group_aid"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<button type="submit" name="language" value="en" lang="en"' in html
    assert '<strong lang="zh-hans" aria-current="true">简体中文</strong>' in html
    assert "<script" not in html
    assert 'aria-label="语言"' in html


# --- remembered per user -------------------------------------------------


def test_choosing_a_language_while_signed_in_saves_it(client, django_user_model):
    user = django_user_model.objects.create_user("dolma", password="pw")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, **EN)
    assert Profile.objects.get(user=user).language == "zh-hans"
    assert get_user_language(user) == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"}, **ZH)
    assert get_user_language(user) == "en"
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, **ZH)  # not offered: ignored
    assert get_user_language(user) == "en"


def sign_in(client, username, **headers):
    """Sign in through the admin's sign-in form, as a person would."""
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": "pw"}, **headers
    )


def test_the_saved_language_comes_back_at_sign_in_on_another_browser(client, django_user_model):
    user = django_user_model.objects.create_superuser("tashi", "tashi@example.org", "pw")
    set_user_language(user, "zh-hans")
    assert html_lang(client.get(PAGE, **EN)) == "en"  # not yet signed in
    response = sign_in(client, "tashi", **EN)
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert html_lang(client.get("/admin/", **EN)) == "zh-hans"
    assert html_lang(client.get("/", follow=True, **EN)) == "zh-hans"


def test_an_explicit_choice_in_this_browser_beats_the_saved_language(client, django_user_model):
    user = django_user_model.objects.create_superuser("tashi", "tashi@example.org", "pw")
    set_user_language(user, "zh-hans")
    client.post("/i18n/setlang/", {"language": "en", "next": PAGE}, **ZH)  # before signing in
    response = sign_in(client, "tashi", **ZH)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert html_lang(client.get("/admin/", **ZH)) == "en"
    assert get_user_language(user) == "zh-hans"  # a choice made signed out is not saved


def test_without_a_saved_language_the_browser_decides(client, django_user_model):
    django_user_model.objects.create_superuser("tashi", "tashi@example.org", "pw")
    response = sign_in(client, "tashi", **ZH)
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert html_lang(client.get("/admin/", **ZH)) == "zh-hans"
    assert html_lang(client.get("/admin/", **EN)) == "en"
    assert Profile.objects.get(user__username="tashi").language == ""


def test_the_saved_language_costs_no_query_per_request(client, django_user_model):
    plain = django_user_model.objects.create_superuser("plain", "p@example.org", "pw")
    chinese = django_user_model.objects.create_superuser("chinese", "c@example.org", "pw")
    set_user_language(chinese, "zh-hans")
    counts = []
    for user in (plain, chinese):
        client.cookies.clear()
        sign_in(client, user.username, **EN)
        with CaptureQueriesContext(connection) as queries:
            client.get("/admin/", **EN)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_user_language_functions_normalise_and_refuse_unknown_codes(django_user_model):
    user = django_user_model.objects.create_user("dolma", password="pw")
    assert get_user_language(user) is None
    assert set_user_language(user, "fr") is None
    assert set_user_language(user, "") is None
    assert Profile.objects.get(user=user).language == ""
    assert set_user_language(user, "zh-Hans") == "zh-hans"
    assert get_user_language(user) == "zh-hans"
    Profile.objects.filter(user=user).update(language="xx")  # a language since removed
    assert get_user_language(user) is None


def test_saving_a_language_leaves_role_and_admin_flags_alone(django_user_model):
    admin = django_user_model.objects.create_superuser("pema", "p@example.org", "pw")
    Profile.objects.filter(user=admin).delete()  # an account from before profiles existed
    assert set_user_language(admin, "zh-hans") == "zh-hans"
    admin.refresh_from_db()
    assert admin.is_superuser and admin.is_staff
    assert (admin.profile.role, admin.profile.language) == (Role.ADMIN, "zh-hans")


def test_the_profile_admin_offers_the_languages_in_chinese(admin_client, admin_user):
    html = admin_client.get(f"/admin/auth/user/{admin_user.pk}/change/", **ZH).content.decode()
    assert "首选语言" in html and "简体中文" in html


# --- code lists and labels ------------------------------------------------


def _project_models():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def test_every_model_field_and_choice_label_reads_in_chinese(db):
    untranslated = []
    with translation.override("zh-hans"):
        for model in _project_models():
            opts = model._meta
            texts = [opts.verbose_name, opts.verbose_name_plural, apps.get_app_config(opts.app_label).verbose_name]
            for field in opts.get_fields():
                if (field.auto_created and not field.concrete) or field.get_internal_type() in (
                    "AutoField", "BigAutoField"
                ) or (field.primary_key and field.name == "id"):  # a surrogate key: no label shown
                    continue
                texts.append(field.verbose_name)
                if field.help_text:
                    texts.append(field.help_text)
                texts.extend(label for _value, label in field.flatchoices or [])
            untranslated += [f"{opts.label}: {t!r}" for t in map(str, texts) if not CJK.search(t)]
    assert not untranslated, "\n".join(untranslated)


def test_code_lists_use_established_chinese_terms():
    with translation.override("zh-hans"):
        assert [str(label) for label in Hospital.Grade.labels[:3]] == ["三级甲等", "三级乙等", "三级丙等"]
        from deployments.models import Program, Title
        from outcomes.models import Surgery, Training

        assert str(Program.Kind.REGIONAL_CENTER.label) == "国家区域医疗中心"
        assert str(Title.CHIEF.label) == "主任医师"
        assert str(Surgery.Grade.FOUR.label) == "四级手术"
        assert str(Surgery.Approach.LAPAROSCOPIC.label) == "腹腔镜"
        assert str(Training.Kind.FURTHER_STUDY.label) == "赴支援医院进修"


def test_every_specialty_has_its_chinese_name(db):
    assert not Specialty.objects.filter(name_zh="").exists()
    with translation.override("zh-hans"):
        assert Specialty.objects.get(code="neonatology").display_name == "新生儿科"
    with translation.override("en"):
        assert Specialty.objects.get(code="neonatology").display_name == "Neonatology"


# --- names, dates and numbers in the reader's language ---------------------


def test_data_names_follow_the_language_and_fall_back(world):
    with translation.override("zh-hans"):
        assert world.renji.display_name == "仁济医院"
        assert str(world.tibet) == "540000 西藏自治区"
        assert world.bj_lhasa.display_name == "Beijing aid to Lhasa People's Hospital"  # no name_zh
    with translation.override("en"):
        assert world.renji.display_name == "Renji Hospital"
        world.renji.name = ""
        assert world.renji.display_name == "仁济医院"


def test_display_name_filter_reads_values_rows_and_objects(world):
    row = {"donor_region__name": "Beijing", "donor_region__name_zh": "北京市", "n": 3}
    with translation.override("zh-hans"):
        assert display_name(row, "donor_region") == "北京市"
        assert display_name({"name": "Lhasa", "name_zh": ""}) == "Lhasa"
        assert display_name(world.xj_children) == "新疆维吾尔自治区儿童医院"
        assert display_name(None) == ""
        html = Template("{% load bilingual %}{{ row|display_name:'donor_region' }}").render(Context({"row": row}))
        assert html == "北京市"
    with translation.override("en"):
        assert display_name(row, "donor_region") == "Beijing"


@pytest.mark.parametrize(
    "language, expected",
    [
        # A date is ISO in both languages (aidtracker/lib/formats/); a month
        # and a day of the month read in the language.
        ("zh-hans", "2024-09-05|2024-09-05|2024年9月|9月5日|1,234,567|12,345.5"),
        ("en", "2024-09-05|2024-09-05|September 2024|September 5|1,234,567|12,345.5"),
    ],
)
def test_dates_and_numbers_are_formatted_for_the_locale(language, expected):
    template = Template(
        "{% load humanize %}{{ d|date:'DATE_FORMAT' }}|{{ d|date:'SHORT_DATE_FORMAT' }}|{{ d|date:'YEAR_MONTH_FORMAT' }}|"
        "{{ d|date:'MONTH_DAY_FORMAT' }}|{{ n|intcomma }}|{{ x|intcomma }}"
    )
    with translation.override(language):
        rendered = template.render(Context({"d": dt.date(2024, 9, 5), "n": 1234567, "x": 12345.5}))
    assert rendered == expected


def test_chinese_date_fields_show_iso_dates_and_read_chinese_ones():
    from django import forms

    class DateForm(forms.Form):
        day = forms.DateField()
        at = forms.DateTimeField()

    with translation.override("zh-hans"):
        shown = str(DateForm(initial={"day": dt.date(2024, 9, 5)})["day"])
        assert 'value="2024-09-05"' in shown  # what <input type="date"> needs
        for text in ["2024-09-05", "2024/09/05", "2024年9月5日", "2024年09月05日"]:
            form = DateForm({"day": text, "at": "2024年9月5日 08:30"})
            assert form.is_valid(), (text, form.errors)
            assert form.cleaned_data["day"] == dt.date(2024, 9, 5)
        assert DateForm({"day": "5/9/2024", "at": "x"}).errors["day"] == ["输入一个有效的日期。"]
