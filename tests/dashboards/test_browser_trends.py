"""The partial point in a real Chromium: the current month's bar is drawn
hatched (a canvas pattern, not the plain colour), its line point hollow,
and the note under the chart says up to which day it counts."""

import datetime as dt
import os

import pytest

from tests.dashboards.test_browser import COUNT_INK, sign_in, with_strict_csp

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

FILLS = """(id) => {
  const chart = window.Chart.getChart(document.getElementById(id));
  return chart.data.datasets.map((d) => Array.isArray(d.backgroundColor)
    ? d.backgroundColor.map((c) => typeof c === "string" ? "plain" : "pattern") : "plain");
}"""


def test_the_partial_month_is_drawn_hatched_and_named(
    page, live_server, transactional_db, django_user_model, artifacts_dir, monkeypatch
):
    from dashboards import views
    from tests.dashboards.data import build

    build(scale=1)
    monkeypatch.setattr(views, "today", lambda: dt.date(2024, 7, 10))
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, django_user_model)
    csp_violations = with_strict_csp(page)
    page.goto(f"{live_server.url}/regions/540000/?date_after=2024-01-01&date_before=2024-12-31")
    for chart in ("chart-surgeries", "chart-skills"):
        page.locator(f"#{chart}").scroll_into_view_if_needed()
        page.wait_for_function("(id) => window.Chart && window.Chart.getChart(document.getElementById(id))", arg=chart)
        assert page.locator(f"#{chart}").evaluate(COUNT_INK) > 500, chart
    fills = page.evaluate(FILLS, "chart-surgeries")
    # The three lead datasets: January to June plain, July to December hatched.
    for bars in fills[:3]:
        assert bars == ["plain"] * 6 + ["pattern"] * 6
    note = page.locator("#chart-surgeries").locator("xpath=ancestor::figure").locator(".chart__partial")
    assert note.is_visible()
    assert "2024-07: partial, up to 2024-07-10" in note.inner_text()
    figure = page.locator("#chart-surgeries").locator("xpath=ancestor::figure")
    figure.screenshot(path=os.path.join(artifacts_dir, "region-partial-month.png"))
    assert csp_violations == []
    page.unroute_all(behavior="ignoreErrors")
