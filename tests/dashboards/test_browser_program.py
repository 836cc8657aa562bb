"""A program's page in a real Chromium (issue 19, item 0): the figures'
cards come first, the period filter narrows them, and a card's link lists
as many rows as the card says."""

import os

import pytest

from tests.dashboards.test_browser import sign_in, with_strict_csp
from tests.figures.test_program_summary import program_world

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_the_program_page_filters_its_cards_and_links_to_their_rows(
    page, live_server, transactional_db, django_user_model, artifacts_dir
):
    program_world()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, django_user_model)
    csp_violations = with_strict_csp(page)
    page.goto(f"{live_server.url}/programs/BJ-LHASA/")
    card = page.locator(".card", has_text="Surgeries at the recipient hospital")
    assert card.locator(".card__value").inner_text() == "5"  # all time
    # The cards sit above the page's tables.
    cards_top = page.locator("#cards").bounding_box()["y"]
    assert cards_top < page.locator("#onsite-title").bounding_box()["y"]
    assert cards_top < page.locator("#coverage-title").bounding_box()["y"]

    page.fill("#id_date_after", "2024-01-01")
    page.fill("#id_date_before", "2024-12-31")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/programs/BJ-LHASA/?date_after=2024-01-01*")
    assert card.locator(".card__value").inner_text() == "4"
    share = page.locator(".card", has_text="Led by local surgeons alone")
    assert share.locator(".card__value").inner_text() == "50.0 %"
    page.screenshot(path=os.path.join(artifacts_dir, "program-page-2024.png"), full_page=True)

    card.locator("li", has_text="local surgeon alone").locator("a").first.click()  # the period's, not the earlier one beside it
    page.wait_for_url("**/surgeries/?hospital=LS-PEOPLES*")
    assert page.locator(".result-count").inner_text().startswith("2 rows")
    page.go_back()
    share.locator(".card__value a").click()
    page.wait_for_url("**/surgeries/?twinned_in=BJ-LHASA*")
    assert page.locator(".result-count").inner_text().startswith("1 row")
    assert csp_violations == []
    page.unroute_all(behavior="ignoreErrors")
