"""The signed-in header is one row on a laptop's and a desktop's screen, for
every role and in both languages, the donors' link included;
the record lists, the admin's tools and the account's links open from
<details> disclosures, by mouse or keyboard, with JavaScript off."""

import os

import pytest

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

#: The header's boxes: where they are and how tall a single link is.
MEASURE = """() => {
  const inner = document.querySelector('.site-header__inner');
  const style = getComputedStyle(inner);
  const content = inner.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const link = document.querySelector('.site-nav a').getBoundingClientRect();
  const items = [...inner.querySelectorAll(
    '.brand, .site-nav__list > li, .user-menu > a, .user-menu > .menu, .language-menu')];
  return {
    content,
    link: link.height,
    lineHeight: parseFloat(getComputedStyle(document.querySelector('.site-nav a')).lineHeight),
    tops: items.map((e) => Math.round(e.getBoundingClientRect().top)),
    bottoms: items.map((e) => Math.round(e.getBoundingClientRect().bottom)),
  };
}"""

@pytest.fixture
def sessions(actors, settings):
    from django.test import Client

    actors["admin"].first_name, actors["admin"].last_name = "Tsering", "Dolma"
    actors["admin"].save()
    out = {}
    for role in ("admin", "coordinator", "official", "viewer"):
        client = Client()
        client.force_login(actors[role])
        out[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return out


def open_as(browser, live_server, settings, session, language, width, javascript=True):
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript)
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
    ])
    return context


def assert_one_row(shape, where):
    # The header is as tall as one link (its padding included) and its own
    # padding, not several: an admin's was 310 to 345 px, nine links stacked.
    assert shape["content"] <= 1.5 * shape["link"], (where, str(shape))
    assert shape["link"] <= 2 * shape["lineHeight"], (where, shape)
    # Every item of the header shares that row.
    assert max(shape["tops"]) < min(shape["bottoms"]), (where, shape)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_header_is_one_row_for_every_role(browser, live_server, transactional_db, settings, sessions, language):
    for role, session in sessions.items():
        for width in (1366, 1920):
            context = open_as(browser, live_server, settings, session, language, width)
            page = context.new_page()
            try:
                page.goto(f"{live_server.url}/surgeries/" if role != "viewer" else f"{live_server.url}/")
                where = f"{role}/{language}/{width}"
                # With the donor pages' top-level link (the room the header kept for it).
                assert page.locator('.site-nav__list > li > a[href="/donors/"]').count() == 1, where
                assert_one_row(page.evaluate(MEASURE), where)
            finally:
                context.close()


def test_the_menus_open_from_the_keyboard_without_javascript(browser, live_server, transactional_db, settings, sessions):
    context = open_as(browser, live_server, settings, sessions["admin"], "en", 1366, javascript=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/trainings/")
        records = page.locator(".site-nav details")
        surgeries = page.get_by_role("link", name="Surgeries")
        assert not surgeries.is_visible()
        # The list being shown is marked in the closed menu's summary and inside it.
        assert "menu__summary--current" in records.locator("summary").get_attribute("class")
        records.locator("summary").focus()
        page.keyboard.press("Enter")
        assert surgeries.is_visible()
        assert page.get_by_role("link", name="Trainings").get_attribute("aria-current") == "page"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Surgeries"
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/surgeries/")
        # A record's own pages mark the menu too; the programs' do not.
        page.goto(f"{live_server.url}/surgeries/new/")
        assert "menu__summary--current" in records.locator("summary").get_attribute("class")
        page.goto(f"{live_server.url}/programs/")
        assert "menu__summary--current" not in records.locator("summary").get_attribute("class")

        account = page.locator(".user-menu details").last
        account.locator("summary").focus()
        page.keyboard.press(" ")
        assert page.get_by_role("button", name="Sign out").is_visible()
        assert page.get_by_role("link", name="Change password").is_visible()
        admin = page.locator(".user-menu details").first
        admin.locator("summary").click()
        for name in ("Import", "Recent changes", "Admin site"):
            assert page.get_by_role("link", name=name, exact=True).is_visible(), name
    finally:
        context.close()
