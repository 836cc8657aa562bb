"""Whole pages from the cache (aidtracker.lib.cache.cached_page): the overview,
the region dashboard, the lists and the summary API. A page comes back
whole only for the same user, scope, language and data version: never stale
after a write, never another scope's, with a fresh CSRF token every time."""

import datetime as dt
import re

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from aidtracker.lib.cache import CSRF_PLACEHOLDER
from tests import factories as f
from tests.conftest import _make_user

PAGES = [
    "/",
    "/regions/540000/",
    "/surgeries/?region=540000",
    "/api/v1/regions/540000/summary?from=2024-01-01&to=2024-12-31",
]


@pytest.fixture
def signed_in(client, admin_user, world):
    client.force_login(admin_user)
    f.SurgeryFactory(hospital=world.lhasa_peoples, date=dt.date(2024, 5, 1))
    return client


def without_tokens(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


@pytest.mark.parametrize("url", PAGES)
def test_a_second_view_comes_whole_from_the_cache(signed_in, url):
    first = signed_in.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        second = signed_in.get(url)
    assert second.status_code == 200
    assert second.context is None  # no template rendered
    assert without_tokens(second.content) == without_tokens(first.content)
    assert second["Content-Type"] == first["Content-Type"]
    # Left: the session, the user with their profile, the data version; the
    # view did not run.
    assert len(queries) == 3, [q["sql"] for q in queries.captured_queries]
    assert sum("aidtracker_dataversion" in q["sql"] for q in queries.captured_queries) == 1


def surgeries_on(client, url) -> int:
    response = client.get(url)
    if url.startswith("/api/"):
        return response.json()["surgeries"]["total"]
    if url.startswith("/surgeries/"):
        return int(re.search(rb'role="status">\s*(\d+) row', response.content).group(1))
    if url == "/":
        return int(re.search(rb"Surgeries</p><p class=\"card__value\">(?:<a [^>]*>)?(\d+)<", response.content).group(1))
    return int(re.search(rb'data-figure="6">(?:<a [^>]*>)?([^<]+)<', response.content).group(1))


@pytest.mark.parametrize("url", PAGES)
def test_every_cached_page_shows_a_write_at_once(signed_in, world, url):
    assert surgeries_on(signed_in, url) == 1
    assert surgeries_on(signed_in, url) == 1  # from the page cache
    row = f.SurgeryFactory(hospital=world.xigaze_peoples, date=dt.date(2024, 6, 1))
    assert surgeries_on(signed_in, url) == 2
    assert surgeries_on(signed_in, url) == 2
    row.delete()
    assert surgeries_on(signed_in, url) == 1


def test_users_and_scopes_never_share_a_page(client, world, django_user_model):
    f.SurgeryFactory(hospital=world.lhasa_peoples, date=dt.date(2024, 5, 1))
    everywhere = _make_user(django_user_model, "everywhere", "official", all_regions=True)
    xinjiang = _make_user(django_user_model, "xinjiang", "official", regions=[world.xinjiang])
    client.force_login(everywhere)
    for url in PAGES * 2:  # rendered, then from the cache
        assert client.get(url).status_code == 200
    overview_everywhere = client.get("/").content
    client.force_login(xinjiang)
    overview_xinjiang = client.get("/").content
    assert b"/regions/540000/" in overview_everywhere
    assert b"/regions/540000/" not in overview_xinjiang
    assert b"everywhere" not in overview_xinjiang and b"xinjiang" in overview_xinjiang
    for url in PAGES[1:] * 2:
        response = client.get(url)
        if url.startswith("/surgeries/"):  # a region outside the user's: no rows
            # (The count, not a search for the row's reference: the page's
            # random CSRF token may contain any short string.)
            assert re.search(rb'role="status">\s*0 rows', response.content), response.content.decode()
        else:
            assert response.status_code == 404, url


def test_a_changed_scope_or_role_applies_at_once(client, world, django_user_model):
    """Profiles are not domain data (no new data version), but the page key
    holds the scope: a cached page never outlives a change of regions or role."""
    official = _make_user(django_user_model, "official", "official", regions=[world.xinjiang])
    client.force_login(official)
    assert client.get("/regions/650000/").status_code == 200
    assert client.get("/regions/650000/").status_code == 200  # cached
    assert client.get("/surgeries/?region=650000").status_code == 200
    official.profile.regions.set([world.tibet])
    assert client.get("/regions/650000/").status_code == 404
    assert b"/regions/650000/" not in client.get("/").content
    official.profile.regions.set([])  # no regions: nothing (scope fails closed)
    assert client.get("/regions/650000/").status_code == 404
    official.profile.all_regions = True
    official.profile.save()
    assert client.get("/regions/650000/").status_code == 200
    official.profile.role = "viewer"
    official.profile.save()
    assert client.get("/surgeries/?region=650000").status_code == 403
    assert b"/surgeries/" not in client.get("/regions/650000/").content


def test_a_renamed_user_sees_their_new_name_at_once(signed_in, admin_user):
    assert b"Ada Lovelace" not in signed_in.get("/").content
    signed_in.get("/")
    admin_user.first_name, admin_user.last_name = "Ada", "Lovelace"
    admin_user.save()
    assert b"Ada Lovelace" in signed_in.get("/").content


def test_a_cached_page_carries_a_fresh_valid_csrf_token(admin_user, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    tokens = []
    for _ in range(3):
        page = client.get("/regions/540000/")
        assert CSRF_PLACEHOLDER.encode() not in page.content
        tokens += re.findall(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert len(set(tokens)) >= 3  # masked anew for every answer (BREACH)
    # The token of a page from the cache works: switch the language, sign out.
    answer = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/",
                                            "csrfmiddlewaretoken": tokens[-1].decode()})
    assert answer.status_code == 302
    answer = client.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens[-1].decode()})
    assert answer.status_code in (200, 302)
    assert client.get("/").status_code == 302  # signed out


def test_languages_never_share_a_page(signed_in):
    english = signed_in.get("/regions/540000/").content
    signed_in.get("/regions/540000/")
    signed_in.cookies["django_language"] = "zh-hans"
    chinese = signed_in.get("/regions/540000/").content
    assert chinese != english
    assert 'lang="zh-hans"'.encode() in chinese


def test_a_page_with_messages_is_rendered_not_served_from_the_cache(signed_in):
    signed_in.get("/")
    signed_in.get("/")  # cached
    # A message waiting for the next page, as after a form's redirect.
    storage = CookieStorage(HttpRequest())
    storage.add(message_levels.SUCCESS, "Saved, thank you.")
    carrier = HttpResponse()
    storage.update(carrier)
    signed_in.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value
    page = signed_in.get("/")
    assert b"Saved, thank you." in page.content and page.context is not None
    assert b"Saved, thank you." not in signed_in.get("/").content  # shown once


def test_csv_exports_are_never_cached(signed_in, world):
    first = signed_in.get("/surgeries/export.csv?region=540000")
    assert b"".join(first.streaming_content).count(b"\r\n") == 2  # header + 1 row
    f.SurgeryFactory(hospital=world.xigaze_peoples, date=dt.date(2024, 6, 1))
    second = signed_in.get("/surgeries/export.csv?region=540000")
    assert b"".join(second.streaming_content).count(b"\r\n") == 3


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_without_a_cache_every_page_is_rendered(signed_in):
    for _ in range(2):
        assert signed_in.get("/regions/540000/").context is not None
