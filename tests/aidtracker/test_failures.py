"""A lost database: a clear 503 page, never a traceback, and recovery by
itself when the database returns. Real gunicorn, real connections."""

import shutil
import sqlite3

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from tests.support.servers import TcpProxy, collect_static, get, gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "failure-test-secret-" + "k" * 40


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root)
    return root


def signed_in_cookies(django_user_model) -> dict:
    """A session of a superuser, signed with the server's secret key."""
    user = django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    with override_settings(SECRET_KEY=SECRET):
        client = Client()
        client.force_login(user)
        return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def assert_unavailable_page(response):
    assert response.status == 503, response.text[:500]
    assert response.headers["Retry-After"]
    assert "temporarily unavailable" in response.text
    assert "Traceback" not in response.text and "OperationalError" not in response.text


@pytest.mark.skipif(
    "direct" in settings.DATABASES,
    reason="cuts the connection between gunicorn and PostgreSQL; through a pooler it would cut the "
    "pooler's client side only (the run on PostgreSQL itself covers it)",
)
def test_lost_postgresql_gives_503_and_recovers(postgres_only, django_user_model, static_root):
    cookies = signed_in_cookies(django_user_model)
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
    url = (
        f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}"
        "?application_name=aid-failure-test&connect_timeout=3"
    )
    try:
        with gunicorn(url, static_root, DJANGO_SECRET_KEY=SECRET, DJANGO_CONN_MAX_AGE="60") as base:
            assert get(base + "/healthz").json()["database"] == "ok"
            assert get(base + "/admin/", cookies).status == 200
            assert get(base + "/", cookies).status == 200

            proxy.cut()  # PostgreSQL is gone: kept connections die, new ones are refused
            health = get(base + "/healthz")
            assert health.status == 503 and health.json()["database"] == "unavailable"
            assert_unavailable_page(get(base + "/admin/", cookies))  # met by the view
            assert_unavailable_page(get(base + "/", cookies))  # met by the sign-in middleware
            api = get(base + "/api/v1/regions/", cookies)
            assert api.status == 503 and api.json() == {"error": "database_unavailable"}

            proxy.restore()  # it is back: no restart of the application
            assert get(base + "/healthz").status == 200
            page = get(base + "/admin/", cookies)
            assert page.status == 200 and "Site administration" in page.text
            assert get(base + "/", cookies).status == 200

            # The kept connection is killed under the worker's feet: the
            # health check (CONN_HEALTH_CHECKS) notices and reconnects.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'aid-failure-test'"
                )
                assert cursor.fetchone()[0] >= 1
            page = get(base + "/admin/", cookies)
            assert page.status == 200 and "Site administration" in page.text
    finally:
        proxy.cut()


def test_lost_sqlite_file_gives_503_and_recovers(tmp_path, static_root, django_db_blocker):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite case")
    volume = tmp_path / "volume"
    volume.mkdir()
    # A real file database for the server: a copy of the migrated test database.
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(volume / "aidtracker.sqlite3")
        connection.connection.backup(target)
        target.close()
    with gunicorn(f"sqlite:///{volume}/aidtracker.sqlite3", static_root) as base:
        assert get(base + "/healthz").status == 200
        shutil.move(volume, tmp_path / "unmounted")  # the disk is gone
        health = get(base + "/healthz")
        assert health.status == 503 and health.json()["database"] == "unavailable"
        shutil.move(tmp_path / "unmounted", volume)  # and back
        assert get(base + "/healthz").status == 200
