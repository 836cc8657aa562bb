"""API tokens and sign-in for /api/: 401 JSON for anonymous or bad tokens,
the token's user otherwise, 403 JSON for viewers; only a hash is stored."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, hash_token

URL = "/api/v1/whoami"


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_anonymous_api_request_is_401_json_not_a_redirect(client, db):
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "Bearer" in response["WWW-Authenticate"]
    # A page, by contrast, sends the visitor to sign in.
    assert client.get(reverse("outcomes:surgery_create")).status_code == 302


def test_token_signs_the_request_in(official, client):
    token, clear = ApiToken.issue(user=official, name="my tool")
    response = client.get(URL, **bearer(clear))
    assert response.status_code == 200
    assert response.json() == {"username": "official", "role": "official", "regions": ["540000"],
                               "token": clear[:12]}
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.key_hash == hash_token(clear) and clear not in token.key_hash


@pytest.mark.parametrize("header", ["Bearer nope", "Token abc", "Bearer "])
def test_bad_token_is_401(header, official, client):
    ApiToken.issue(user=official, name="my tool")
    response = client.get(URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_revoked_expired_and_inactive_tokens_are_refused(official, client):
    revoked, clear1 = ApiToken.issue(user=official, name="a")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked=True)
    _t, clear2 = ApiToken.issue(user=official, name="b", expires_at=timezone.now() - dt.timedelta(days=1))
    assert client.get(URL, **bearer(clear1)).status_code == 401
    assert client.get(URL, **bearer(clear2)).status_code == 401
    _t, clear3 = ApiToken.issue(user=official, name="c")
    official.is_active = False
    official.save()
    assert client.get(URL, **bearer(clear3)).status_code == 401


def test_token_is_only_for_the_api(official, client):
    _t, clear = ApiToken.issue(user=official, name="a")
    response = client.get(reverse("outcomes:surgery_create"), **bearer(clear))
    assert response.status_code == 302  # pages ignore tokens: sign in


API_ACCESS = [("admin", 200), ("coordinator", 200), ("official", 200), ("official_all", 200),
              ("viewer", 403), ("anonymous", 401)]


@pytest.mark.parametrize(("role", "status"), API_ACCESS)
def test_api_access_by_role_with_token(role, status, actors, client):
    user = actors[role]
    headers = bearer(ApiToken.issue(user=user, name="t")[1]) if user else {}
    response = client.get(URL, **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(("role", "status"), API_ACCESS)
def test_api_access_by_role_with_session(role, status, actors, client_as):
    assert client_as(actors[role]).get(URL).status_code == status


def test_admin_issues_a_token_shown_once(admin_user, official, client):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_apitoken_add"), {"user": official.pk, "name": "dashboard feed"}, follow=True
    )
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    clear = next(word for m in shown for word in m.split() if word.startswith("aid_"))
    assert hash_token(clear) == token.key_hash
    assert token.created_by == admin_user
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert clear not in page
    assert client.get(URL, **bearer(clear)).json()["username"] == "official"
