"""In a real Chromium: the region dashboard under a donor filter, a donor
hospital's page and the overview's links, as a reader sees them."""

import os

import pytest

from tests.dashboards.test_browser import sign_in, with_strict_csp

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_donor_filter_hospital_page_and_overview_links_in_a_browser(
    page, live_server, transactional_db, django_user_model, artifacts_dir
):
    from tests.dashboards.data import build

    build(scale=1)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, django_user_model)
    csp_violations = with_strict_csp(page)

    page.goto(f"{live_server.url}/regions/540000/?donor=110000")
    card = page.locator("#cards li", has_text="Led by local surgeons alone").first
    assert card.locator(".card__value").inner_text() == "45.5 %"
    assert "of the departments Beijing twins, whoever led them" in card.inner_text()
    wide = page.locator("#cards li", has_text="Patient movements").first
    assert "region-wide, whatever the donor" in wide.inner_text()
    page.locator("#chart-surgeries").scroll_into_view_if_needed()
    page.wait_for_function("() => document.getElementById('chart-surgeries').width > 0")
    page.screenshot(path=os.path.join(artifacts_dir, "region-dashboard-donor.png"), full_page=True)

    page.goto(f"{live_server.url}/hospitals/BJ-FRIENDSHIP/")
    sent = page.locator("#cards li", has_text="Experts sent").first
    assert sent.locator(".card__value").inner_text() == "3"
    assert page.locator("text=Before and after").count() == 0
    page.screenshot(path=os.path.join(artifacts_dir, "donor-hospital.png"), full_page=True)
    sent.locator(".card__value a").click()
    page.wait_for_url("**/rotations/?home_hospital=BJ-FRIENDSHIP")

    page.goto(f"{live_server.url}/?date_after=2024-01-01")
    page.screenshot(path=os.path.join(artifacts_dir, "overview-links.png"), full_page=True)
    page.locator("table.data a", has_text="30").first.click()
    page.wait_for_url("**/surgeries/?region=540000&date_after=2024-01-01")
    page.wait_for_load_state("networkidle")
    # No request of a closing page left to the policy's route (its response disposed).
    page.unroute_all(behavior="ignoreErrors")
    assert csp_violations == []
