"""A Chinese browser gets the Chinese interface and switches to English
through the switcher's plain form (no JavaScript involved)."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
def test_chinese_browser_sees_chinese_and_switches_to_english(browser, live_server):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/admin/login/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.locator("#site-name").inner_text() == "Aidtracker 医疗援助台账 · 管理后台"
        assert page.get_by_role("button", name="登录").is_visible()

        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.url == f"{live_server.url}/admin/login/"
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("button", name="Log in").is_visible()

        page.reload()
        assert page.locator("html").get_attribute("lang") == "en"  # remembered by the cookie
    finally:
        context.close()
