"""Every page's <title> names the page, then the site, once: a browser tab or
a bookmark reads "Sign in · Aidtracker", never "Sign in · Aidtracker ·
Aidtracker" (pages that added the base title to their own did)."""

import html
import re

import pytest

from tests.support.pages import build_site, fetch, site_pages


@pytest.mark.django_db
def test_every_kind_of_page_names_itself_and_the_site_once(client, settings, tmp_path):
    settings.INTERCHANGE_RUNNER = "inline"
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_site()
    wrong = []
    for visit in site_pages(w, tmp_path):
        page = fetch(client, w.users, visit).decode()
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        title = " ".join(html.unescape(title).split())
        parts = [part.strip() for part in re.split(r"[·|]", title)]
        if title.count("Aidtracker") != 1 or len(parts) < 2 or not all(parts):
            wrong.append(f"{visit}: {title!r}")
    assert not wrong, "\n".join(wrong)
