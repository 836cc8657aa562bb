"""In a real Chromium: the region dashboard's 2024 against 2023, in English
and in Chinese, and a click on an earlier figure leading to its rows."""

import datetime as dt
import os

import pytest

from tests.dashboards.test_browser import sign_in, with_strict_csp

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_this_year_against_the_last_in_a_browser(page, live_server, transactional_db, django_user_model, artifacts_dir):
    from tests import factories as f
    from tests.dashboards.data import build

    w = build(scale=1)  # 30 surgeries in 2024, one in 2023
    for day in (dt.date(2023, 4, 2), dt.date(2023, 9, 9)):
        f.SurgeryFactory(ref=f"PREV{day:%m%d}", hospital=w.lhasa_peoples, date=day, lead="local")
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, django_user_model)
    csp_violations = with_strict_csp(page)

    url = f"{live_server.url}/regions/540000/?date_after=2024-01-01&date_before=2024-12-31"
    page.goto(url)
    assert page.locator("#compare-note").inner_text().startswith("2024 vs 2023")
    card = page.locator("#cards li", has_text="Surgeries").first
    line = card.locator(".card__earlier")
    assert line.inner_text() == "2023: 3 · +27 (+900.0 %)"
    # One small line: the card stays readable (no wider than the card).
    assert line.bounding_box()["height"] < 40
    page.screenshot(path=os.path.join(artifacts_dir, "region-compare-en.png"), full_page=True)
    line.locator("a").click()
    page.wait_for_url("**/surgeries/?region=540000&date_after=2023-01-01&date_before=2023-12-31")
    assert page.locator("table.data tbody tr").count() == 3

    page.set_extra_http_headers({"Accept-Language": "zh-CN"})
    page.goto(url)
    card = page.locator("#cards li", has_text="手术").first
    assert "2023: 3" in card.locator(".card__earlier").inner_text()
    page.screenshot(path=os.path.join(artifacts_dir, "region-compare-zh.png"), full_page=True)
    page.wait_for_load_state("networkidle")
    page.unroute_all(behavior="ignoreErrors")
    assert csp_violations == []
