"""The site's icon: every page links it (the admin's and the 503 page too),
/favicon.ico leads to it for whoever asks, and it is served."""

import os

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static

from tests.support.pages import build_site, fetch, site_pages

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def links_the_icon(html):
    return f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in html


@pytest.mark.django_db
def test_every_kind_of_page_links_the_icon(client, settings, tmp_path):
    settings.INTERCHANGE_RUNNER = "inline"
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_site()
    missing = [
        str(visit) for visit in site_pages(w, tmp_path)
        if not links_the_icon(fetch(client, w.users, visit).decode())
    ]
    assert missing == []
    assert links_the_icon(render_to_string("503.html"))
    client.logout()
    assert links_the_icon(client.get("/admin/login/").content.decode())


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_icon_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == static("favicon.svg")
    assert finders.find("favicon.svg")


@pytest.mark.browser
def test_the_icon_is_served(page, live_server, transactional_db):
    response = page.request.get(f"{live_server.url}/favicon.ico")
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert response.text().startswith("<svg")
