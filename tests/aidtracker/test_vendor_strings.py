"""Strings of Django, django-filter, django-axes and django-simple-history
that their own catalogues lack read in Chinese too (aidtracker/vendor_strings.py)."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from hospitals.models import Hospital

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN"}


def test_admin_app_list_and_axes_models_are_chinese(admin_client):
    html = admin_client.get("/admin/", **ZH).content.decode()
    assert "模型名称" in html and "Model name" not in html
    assert "登录尝试" in html and "Access attempts" not in html


def test_a_too_short_password_is_refused_in_chinese():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as excinfo:
            password_validation.validate_password("a1b2")
        messages = excinfo.value.messages
    assert "密码长度太短。密码必须包含至少 8 个字符。" in messages


def test_a_missing_foreign_key_is_refused_in_chinese(world):
    hospital = Hospital(code="X-1", name="X", region_id="999999", kind="general")
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as excinfo:
            hospital.full_clean()
        messages = excinfo.value.message_dict["region"]  # lazy: read while Chinese is active
    assert messages == ["code 为 '999999' 的行政区不存在，不是有效的选项。"]


def test_filter_choices_are_chinese(admin_client, world):
    html = admin_client.get("/surgeries/", **ZH).content.decode()
    assert ">是</option>" in html and ">否</option>" in html
    assert ">Yes</option>" not in html and ">Unknown</option>" not in html


def test_history_pages_of_the_admin_are_chinese(admin_client, world):
    html = admin_client.get(f"/admin/hospitals/hospital/{world.renji.pk}/history/", **ZH).content.decode()
    assert "历史" in html and "View on site" not in html
