"""Every kind of page passes axe-core's WCAG 2 A and AA rules in a real
Chromium: the pages of tests/support/pages.py (sign-in, dashboards with
their charts drawn, lists with filters and a filter error, records, their
history, the forms empty and with errors, the import, 403 and 404), as an
admin, a coordinator (in Chinese) and an official, under the production
Content Security Policy.

axe-core comes from axe-playwright-python (its bundled axe.min.js). It goes
into each page as an init script, through the DevTools protocol, which the
page's Content Security Policy does not govern: the strict policy (no
inline script) stays as the settings send it, and the test checks it does.
"""

import os
from pathlib import Path

import pytest

from tests.support.pages import build_site, site_pages

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
#: The charts are drawn (static/js/charts.js marks each canvas's box) and,
#: if asked, every <details> is open, so that the tables behind them are
#: checked too.
READY = """(openDetails) => {
  if (document.querySelector('.chart__canvas:not(.chart__canvas--drawn)')) return false;
  if (openDetails) document.querySelectorAll('details').forEach((d) => { d.open = true; });
  return true;
}"""


def axe_source():
    from axe_playwright_python.base import AXE_FILE_PATH

    return Path(AXE_FILE_PATH).read_text(encoding="utf-8")


def send_form(page, values):
    """Fill in the page's form (the one holding the first of `values`, else
    the main form that posts) and send it; returns the answer."""
    if values:
        form = page.locator("form", has=page.locator(f"[name={next(iter(values))}]"))
    else:
        form = page.locator("main form[method=post]")
    for name, value in values.items():
        field = form.locator(f"[name={name}]")
        if isinstance(value, Path):
            field.set_input_files(value)
        else:
            field.fill(value)
    with page.expect_navigation() as navigation:
        form.evaluate("(f) => f.requestSubmit()")
    return navigation.value


def describe(visit, violations):
    lines = []
    for v in violations:
        lines.append(f"{visit}: {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary'].splitlines()[-1].strip()}")
            lines.append(f"      {node['html'][:200]}")
    return lines


def test_every_kind_of_page_passes_axe(browser, live_server, transactional_db, settings, tmp_path):
    from django.test import Client

    settings.INTERCHANGE_RUNNER = "inline"
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_site()
    sessions = {}
    for role, user in w.users.items():
        if user is not None:
            client = Client()  # one each: a sign-in on the same client ends the last one's session
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    # One browser context for every visit (a new one costs more than a page
    # check): who and which language are its cookies, set anew when they change.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(script=axe_source())
    page = context.new_page()
    signed_in = None
    found = []
    try:
        for visit in site_pages(w, tmp_path):
            if signed_in != (visit.role, visit.language):
                signed_in = (visit.role, visit.language)
                context.clear_cookies()
                cookies = {settings.LANGUAGE_COOKIE_NAME: visit.language}
                if visit.role in sessions:
                    cookies[settings.SESSION_COOKIE_NAME] = sessions[visit.role]
                context.add_cookies([{"name": k, "value": v, "url": live_server.url} for k, v in cookies.items()])
            print(visit)  # shown when a step fails
            response = page.goto(live_server.url + visit.url)
            if visit.post is not None:
                response = send_form(page, visit.post)
            else:
                assert page.url == live_server.url + visit.url, visit  # not sent to sign in
            assert response.status == visit.status, visit
            policy = [d.strip() for d in response.headers["content-security-policy"].split(";")]
            assert "script-src 'self'" in policy, visit
            assert page.locator("html").get_attribute("lang") == visit.language, visit
            page.wait_for_function(READY, arg=visit.open_details, timeout=10_000)
            results = page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)
            found += describe(visit, results["violations"])
    finally:
        context.close()
    assert found == [], "\n".join(found)
