"""A remote-support program's page in a real Chromium: the consultations
chart is drawn, no coverage percentage, a cell's link lists its consultations."""

import os

import pytest

from tests.dashboards.test_browser import COUNT_INK, sign_in, with_strict_csp
from tests.dashboards.test_remote_support import remote  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_remote_support_page_draws_consultations_not_coverage(
    page, live_server, transactional_db, remote, django_user_model, artifacts_dir  # noqa: F811
):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, django_user_model)
    csp_violations = with_strict_csp(page)
    page.goto(f"{live_server.url}/programs/BJ-LHASA-RS/")
    assert page.locator("#remote-title").inner_text() == "Remote support: consultations"
    assert page.locator("#coverage-title").count() == 0
    canvas = page.locator("#remote-consultations")
    canvas.scroll_into_view_if_needed()
    page.wait_for_function("() => { const c = document.getElementById('remote-consultations'); return c && c.width > 0; }")
    assert canvas.evaluate(COUNT_INK) > 500
    assert "gap: no consultation for 112 days" in page.content()
    page.screenshot(path=os.path.join(artifacts_dir, "remote-support-program.png"), full_page=True)
    # March 2024, general surgery: 2 consultations.
    table = page.locator("table", has_text="Consultations per month")
    page.locator("details", has=table).locator("summary").click()  # the months are behind "Show the numbers"
    table.locator("a", has_text="2").first.click()
    page.wait_for_url("**/consultations/**")
    assert page.locator(".result-count").inner_text().startswith("2 rows")
    assert csp_violations == []
    page.unroute_all(behavior="ignoreErrors")
