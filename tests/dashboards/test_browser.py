"""The region dashboard in a real Chromium: sign in, see the charts drawn,
change a filter, see the figures change."""

import os

import pytest

pytestmark = pytest.mark.browser

# Playwright's sync API runs an event loop in this thread; the ORM calls of
# the set-up below are ordinary synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

COUNT_INK = """(canvas) => {
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; }
  return n;
}"""


# The policy the production settings will send (issue 5): the pages must work under it.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def with_strict_csp(page):
    """Serve every page with STRICT_CSP and collect the browser's complaints."""
    violations = []

    def add_policy(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": STRICT_CSP}
        route.fulfill(response=response, headers=headers)

    page.route("**/*", add_policy)
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return violations


def sign_in(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("official", "o@example.org", "secret-pw-1")
    page.goto(f"{live_server.url}/admin/login/?next=/")
    page.fill("#id_username", "official")
    page.fill("#id_password", "secret-pw-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_region_dashboard_draws_charts_and_follows_a_filter(
    page, live_server, transactional_db, django_user_model, artifacts_dir
):
    import datetime as dt

    from figures.summary import region_summary
    from aidtracker.lib.periods import Period
    from tests.dashboards.data import build

    build(scale=3)
    narrowed = region_summary(
        "540000", Period(dt.date(2024, 1, 1), dt.date(2024, 6, 30)), specialty="orthopedics"
    )["surgeries"]["total"]
    assert narrowed not in (0, 91)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, django_user_model)
    csp_violations = with_strict_csp(page)

    page.goto(f"{live_server.url}/regions/540000/")
    surgeries = page.locator("#cards li", has_text="Surgeries").first.locator(".card__value")
    assert surgeries.inner_text() == "91"
    for chart in ["surgeries", "experts", "trainees", "techniques", "donors"]:
        canvas = page.locator(f"#chart-{chart}")
        canvas.scroll_into_view_if_needed()
        page.wait_for_function(
            "(id) => { const c = document.getElementById(id); return c && c.width > 0; }", arg=f"chart-{chart}"
        )
        assert canvas.evaluate(COUNT_INK) > 500, chart
    page.screenshot(path=os.path.join(artifacts_dir, "region-dashboard.png"), full_page=True)

    page.select_option("#id_specialty", "orthopedics")
    page.fill("#id_date_after", "2024-01-01")
    page.fill("#id_date_before", "2024-06-30")
    page.click("text=Apply filters")
    page.wait_for_url("**specialty=orthopedics**")
    assert page.locator("#period-note").inner_text().startswith("Figures for 2024-01-01 to 2024-06-30")
    assert surgeries.inner_text() == str(narrowed)
    assert page.locator("#chart-surgeries").evaluate(COUNT_INK) > 500
    page.screenshot(path=os.path.join(artifacts_dir, "region-dashboard-filtered.png"), full_page=True)

    # The card's link lists the very rows behind the figure.
    surgeries.locator("a").click()
    page.wait_for_url("**/surgeries/**")
    assert page.locator(".result-count").inner_text().startswith(f"{narrowed} rows")
    assert csp_violations == []
    # A request still in the route (the favicon) must not fail the teardown.
    page.unroute_all(behavior="ignoreErrors")
