"""Tibet's completeness grid in a real Chromium, as an official of Tibet and
as the coordinator of BJ-LHASA: the bands are coloured and written, a cell's
count opens the rows it counts (the hand-counted world of
tests/figures/test_completeness.py)."""

import os

import pytest
from django.utils import timezone

from figures.completeness import last_full_month
from tests.conftest import ACTOR_PASSWORD
from tests.dashboards.test_browser import with_strict_csp
from tests.figures.test_completeness import build

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", ACTOR_PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server.url}/")


def background(locator):
    return locator.evaluate("(el) => getComputedStyle(el).backgroundColor")


def test_an_official_reads_tibets_grid_at_a_glance(page, live_server, transactional_db, world, official,
                                                   artifacts_dir):
    build(world, last_full_month(timezone.localdate()))
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, live_server, official.username)
    csp_violations = with_strict_csp(page)
    page.goto(f"{live_server.url}/regions/540000/")
    page.get_by_role("link", name="Data completeness").click()
    page.wait_for_url("**/regions/540000/completeness/")
    table = page.locator("table.completeness")
    lhasa = table.locator("tbody tr", has_text="Lhasa People's Hospital")
    cells = lhasa.locator("td.rate")
    # 12 months and the total; M1..M4 are the last four months.
    assert cells.count() == 13
    m1, m2, m3 = cells.nth(8), cells.nth(9), cells.nth(10)
    assert m1.locator("a").first.inner_text().startswith("100 %")
    assert m3.locator("a").first.inner_text().startswith("0 %")
    # Three different colours for complete, under half and none; the words are in the legend.
    assert len({background(m1), background(m2), background(m3)}) == 3
    assert page.locator(".rate-legend").inner_text().count("%") >= 4
    page.screenshot(path=os.path.join(artifacts_dir, "completeness-tibet-official.png"), full_page=True)
    # M1's surgeries at Lhasa: 2, and the list shows those 2.
    m1.locator(".rate__logs a").first.click()
    page.wait_for_url("**/surgeries/**")
    assert page.locator(".result-count").inner_text().startswith("2 rows")
    assert csp_violations == []
    page.unroute_all(behavior="ignoreErrors")


def test_a_coordinator_opens_a_months_indicators_from_the_grid(page, live_server, transactional_db, world,
                                                               coordinator, artifacts_dir):
    months, _records = build(world, last_full_month(timezone.localdate()))
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, live_server, coordinator.username)
    page.locator("a[href='/programs/BJ-LHASA/completeness/']").click()
    page.wait_for_url("**/programs/BJ-LHASA/completeness/")
    assert "S-XIGAZE" in page.locator("section[aria-labelledby=warnings-title]").inner_text()
    page.screenshot(path=os.path.join(artifacts_dir, "completeness-program-coordinator.png"), full_page=True)
    page.locator("table.completeness tbody td.rate").nth(8).locator("a").first.click()
    page.wait_for_url(f"**/hospitals/LS-PEOPLES/indicators/?month={months[0]:%Y-%m}")
    assert page.locator("h1").inner_text().startswith("Monthly indicators of")
