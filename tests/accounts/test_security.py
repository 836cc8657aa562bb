"""Security settings and mechanisms: the deploy check, headers and CSP,
lockout after failed sign-ins, idle timeout, upload size limit."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from accounts.security import check_upload_size

BASE_DIR = Path(settings.BASE_DIR)


def test_deploy_check_is_clean_with_the_documented_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_security_headers_and_strict_csp(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("outcomes:surgery_create"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    body = response.content.decode()
    assert "<script" not in body and "<style" not in body and " style=" not in body


def test_session_is_an_idle_timeout(coordinator, client):
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True
    client.force_login(coordinator)
    url = reverse("password_change")
    # Just signed in: the next page does not write the session again.
    assert settings.SESSION_COOKIE_NAME not in client.get(url).cookies
    # A minute later, a request renews the session for another SESSION_COOKIE_AGE.
    session = client.session
    session["_idle_renewed"] -= settings.SESSION_IDLE_RENEW_SECONDS
    session.save()
    cookie = client.get(url).cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE
    # An expired session is a signed-out visitor.
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.update(expire_date=timezone.now())
    assert client.get(url).status_code == 302


def sign_in(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR="10.0.0.1")


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_five_failures_lock_out_username_and_ip(url, admin_user, client):
    for _ in range(4):
        assert sign_in(client, "admin", "wrong", url).status_code == 200
    locked = sign_in(client, "admin", "wrong", url)
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    # Even the right password is refused while locked...
    assert sign_in(client, "admin", "pw", url).status_code == 429
    # ...but only for that username from that address.
    other = client.post(url, {"username": "admin", "password": "pw"}, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302


def test_lockout_lasts_15_minutes():
    from datetime import timedelta

    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_sign_in_and_out(admin_user, client):
    assert sign_in(client, "admin", "pw").status_code == 302
    page = client.get(reverse("password_change")).content.decode()
    assert 'action="/accounts/logout/"' in page and "admin" in page
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("password_change")).status_code == 302


def test_password_change_uses_the_validators(coordinator, client):
    client.force_login(coordinator)
    response = client.post(reverse("password_change"), {
        "old_password": "pw", "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": "pw", "new_password1": "Yak-butter-tea-4700m", "new_password2": "Yak-butter-tea-4700m"})
    assert response.status_code == 302


@override_settings(IMPORT_MAX_UPLOAD_MB=1)
def test_upload_size_limit_has_a_clear_message():
    small = SimpleUploadedFile("bundle.xlsx", b"x" * 1024)
    assert check_upload_size(small) is small
    big = SimpleUploadedFile("bundle.xlsx", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as excinfo:
        check_upload_size(big)
    assert excinfo.value.code == "upload_too_large"
    assert excinfo.value.messages == [
        "The file bundle.xlsx is 1.0\xa0MB; imports are limited to 1.0\xa0MB. Split the bundle into "
        "smaller files, or ask an administrator to raise IMPORT_MAX_UPLOAD_MB."
    ]


def test_test_client_login_still_works(admin_user, client):
    """Authentication without a request (client.login) skips the lockout check only."""
    assert client.login(username="admin", password="pw")


@pytest.mark.django_db(transaction=True)
def test_behind_a_trusted_proxy_a_lockout_holds_the_client_not_the_proxy(live_server, admin_user, settings):
    """Through a real forwarding proxy (as nginx), every client arrives from
    the proxy's address: five failures from one client lock that client out,
    not the right person signing in from another machine. A client that
    forges X-Forwarded-For gets the proxy's record of its address."""
    from tests.support.servers import Browser, ForwardingProxy

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    host, port = live_server.thread.host, live_server.thread.port
    with ForwardingProxy(host, port) as proxy:
        attacker = Browser(proxy.port, source="127.0.0.2")
        for _ in range(4):
            assert attacker.sign_in("admin", "wrong") == 200  # the form again, with its error
        assert attacker.sign_in("admin", "wrong") == 429
        assert attacker.sign_in("admin", "pw") == 429  # locked, even with the right password
        # A forged address in front changes nothing: the proxy's last entry counts.
        assert attacker.sign_in("admin", "pw", headers={"X-Forwarded-For": "10.9.9.9"}) == 429
        # The right person, from another machine behind the same proxy.
        assert Browser(proxy.port, source="127.0.0.3").sign_in("admin", "pw") == 302


@pytest.mark.django_db(transaction=True)
def test_forwarded_addresses_count_only_from_a_trusted_proxy(live_server, admin_user, settings):
    """Without a trusted proxy, X-Forwarded-For is the client's claim: a
    client cannot dodge its lockout by naming another address."""
    from tests.support.servers import Browser

    settings.TRUSTED_PROXIES = []
    direct = Browser(live_server.thread.port, source="127.0.0.4")
    for n in range(5):
        direct.sign_in("admin", "wrong", headers={"X-Forwarded-For": f"10.0.0.{n}"})
    assert direct.sign_in("admin", "pw", headers={"X-Forwarded-For": "10.0.0.99"}) == 429


@pytest.mark.parametrize("url", [
    "/", "/regions/540000/", "/surgeries/", "/surgeries/export.csv", "/programs/", "/hospitals/",
    "/api/v1/regions/", "/api/v1/regions/540000/summary",
])
def test_what_a_signed_in_user_reads_is_never_stored_by_a_cache(url, world, admin_user, client):
    client.force_login(admin_user)
    for _ in range(2):  # rendered, then from the page cache
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (url, response["Cache-Control"])


def test_an_api_token_answer_is_private_too(world, admin_user, client):
    from accounts.models import ApiToken

    _token, clear = ApiToken.issue(user=admin_user, name="tool")
    response = client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert response.status_code == 200
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
