"""The donor dashboard in a real Chromium, in English and in Chinese: the
charts are drawn, the cards lead to their lists. Screenshots go to the
artifacts directory for a look."""

import os

import pytest

from tests.dashboards.test_browser import COUNT_INK, sign_in, with_strict_csp

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHARTS = ["chart-donor-experts", "chart-donor-twinned", "chart-donor-trainees"]


def test_donor_dashboard_draws_its_charts_in_english_and_chinese(
    page, live_server, transactional_db, django_user_model, artifacts_dir
):
    from tests.support.bundles import DATA, load_bundle

    load_bundle(DATA / "donor_bundle")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, django_user_model)
    csp_violations = with_strict_csp(page)

    page.goto(f"{live_server.url}/donors/110000/?date_after=2023-01-01&date_before=2024-12-31")
    surgeries = page.locator("#cards li", has_text="Surgeries with its teams").first.locator(".card__value")
    assert surgeries.inner_text() == "9"  # 2024's 7, S02 and S26 of 2023-12-31
    for chart in CHARTS:
        canvas = page.locator(f"#{chart}")
        canvas.scroll_into_view_if_needed()
        page.wait_for_function("(id) => { const c = document.getElementById(id); return c && c.width > 0; }", arg=chart)
        assert canvas.evaluate(COUNT_INK) > 500, chart
    # Nothing wider than the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=os.path.join(artifacts_dir, "donor-dashboard.png"), full_page=True)

    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page.goto(f"{live_server.url}/donors/310000/?date_after=2024-01-01&date_before=2024-12-31")
    assert page.locator("h1").inner_text().startswith("上海市")
    for chart in CHARTS:
        canvas = page.locator(f"#{chart}")
        canvas.scroll_into_view_if_needed()
        page.wait_for_function("(id) => { const c = document.getElementById(id); return c && c.width > 0; }", arg=chart)
        assert canvas.evaluate(COUNT_INK) > 500, chart
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=os.path.join(artifacts_dir, "donor-dashboard-zh.png"), full_page=True)

    page.locator("#cards li").first.locator(".card__value a").click()
    page.wait_for_url("**/programs/**")
    assert page.locator(".result-count").inner_text().startswith("3")
    assert csp_violations == []
    page.unroute_all(behavior="ignoreErrors")
