"""The environment readers refuse bad values with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from aidtracker.lib.env import env_bool, env_choice, env_int, env_list, parse_database_url

BASE = Path(__file__).resolve().parent.parent


def test_booleans(monkeypatch):
    for raw, value in [("1", True), ("yes", True), ("ON", True), ("0", False), ("false", False), ("", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env_bool("X_FLAG", not value) is value
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True


def test_bad_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='maybe' is not a boolean"):
        env_bool("DJANGO_DEBUG", True)


def test_integers(monkeypatch):
    monkeypatch.setenv("X_INT", "12")
    assert env_int("X_INT", 0) == 12
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_INT='twelve' is not a whole number"):
        env_int("X_INT", 0)
    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(ImproperlyConfigured, match="must not be negative"):
        env_int("X_INT", 0)
    monkeypatch.setenv("X_INT", "25")
    with pytest.raises(ImproperlyConfigured, match="X_INT='25' must be at most 19"):
        env_int("X_INT", 10, maximum=19)


def test_choices(monkeypatch):
    assert env_choice("X_CHOICE", "inline", ("subprocess", "inline")) == "inline"
    monkeypatch.setenv("X_CHOICE", " Subprocess ")
    assert env_choice("X_CHOICE", "inline", ("subprocess", "inline")) == "subprocess"
    monkeypatch.setenv("X_CHOICE", "foo")
    with pytest.raises(ImproperlyConfigured, match="X_CHOICE='foo' is not one of: subprocess, inline"):
        env_choice("X_CHOICE", "inline", ("subprocess", "inline"))


@pytest.mark.parametrize("name, value, message", [
    ("AIDTRACKER_IMPORT_RUNNER", "foo", "is not one of: subprocess, inline"),
    ("AIDTRACKER_IMPORT_NICENESS", "25", "must be at most 19"),
    ("DJANGO_LOG_LEVEL", "LOUD", "is not one of: DEBUG, INFO"),
    ("DJANGO_TIME_ZONE", "Mars/Olympus", "is not a time zone"),
])
def test_bad_settings_stop_the_start_naming_the_variable(name, value, message):
    result = _settings_in_subprocess(**{name: value})
    assert result.returncode != 0
    assert f"{name}={value!r} {message}" in result.stderr


def test_lists(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", " a.org, b.org ,,")
    assert env_list("DJANGO_ALLOWED_HOSTS", []) == ["a.org", "b.org"]


def test_database_urls():
    assert parse_database_url("sqlite:///db.sqlite3", BASE)["NAME"] == str(BASE / "db.sqlite3")
    assert parse_database_url("sqlite:////tmp/x.sqlite3", BASE)["NAME"] == "/tmp/x.sqlite3"
    pg = parse_database_url("postgres://aid:s%40cret@db.example.org:6543/aidtracker?sslmode=require", BASE)
    assert pg == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "aidtracker",
        "USER": "aid",
        "PASSWORD": "s@cret",
        "HOST": "db.example.org",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require"},
    }
    assert parse_database_url("postgresql://postgres@127.0.0.1/x", BASE)["PORT"] == ""


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://u@h/db", "unsupported scheme 'mysql'"),
        ("postgres://u@h/", "names no database"),
        ("sqlite://", "names no SQLite file"),
        ("postgres://u@h:notaport/db", "bad port"),
    ],
)
def test_bad_database_urls_are_refused(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_database_url(url, BASE)


def _settings_in_subprocess(**env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','aidtracker.settings'); django.setup()"],
        cwd=BASE, env=full, capture_output=True, text=True,
    )


def test_development_key_is_refused_when_debug_is_off():
    result = _settings_in_subprocess(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_start_with_a_real_key():
    result = _settings_in_subprocess(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="aid.example.org"
    )
    assert result.returncode == 0, result.stderr


PG = "postgres://postgres@127.0.0.1:5432/aidtracker"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DATABASE_REPLICA_URLS": PG}, "DATABASE_REPLICA_URLS needs PostgreSQL"),
        ({"DATABASE_URL": PG, "DATABASE_REPLICA_URLS": "mysql://h/db"},
         "DATABASE_REPLICA_URLS='mysql://h/db': unsupported scheme"),
        ({"DATABASE_URL": PG, "DATABASE_REPLICA_URLS": "postgres://h/"},
         "DATABASE_REPLICA_URLS='postgres://h/' names no database"),
        ({"DATABASE_URL": PG, "DATABASE_REPLICA_PIN_SECONDS": "10"},
         "DATABASE_REPLICA_PIN_SECONDS=10 must be at least"),
        ({"DATABASE_URL": PG, "DATABASE_DIRECT_URL": PG, "DJANGO_DB_PREPARED_STATEMENTS": "1"},
         "cannot keep prepared statements"),
        ({"DATABASE_URL": PG, "DATABASE_DIRECT_URL": PG, "AIDTRACKER_IMPORT_RUNNER": "inline"},
         "AIDTRACKER_IMPORT_RUNNER=inline with DATABASE_DIRECT_URL"),
        ({"DATABASE_DIRECT_URL": PG}, "DATABASE_URL is not PostgreSQL"),
    ],
)
def test_bad_replica_and_pooler_settings_stop_the_start_up(env, message):
    result = _settings_in_subprocess(**env)
    assert result.returncode != 0
    assert message in result.stderr


def _settings_value(expression, argv=("-c",), **env):
    """Evaluate `expression` on the settings of a process started with `env`
    (`argv`: as `manage.py <command>` when it names one)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    full.update(env)
    code = (
        "import sys, django, os; sys.argv = %r; "
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE','aidtracker.settings'); django.setup(); "
        "from django.conf import settings; print(%s)" % (list(argv), expression)
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE, env=full, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_replica_urls_become_aliases_read_through_the_router():
    urls = "postgres://u@r1:5432/aid,postgres://u@r2/aid"
    value = _settings_value(
        "[(a, settings.DATABASES[a]['HOST'], settings.DATABASES[a]['TEST']['MIRROR'], settings.DATABASE_ROUTERS) for a in settings.DATABASE_REPLICAS]",
        DATABASE_URL=PG, DATABASE_REPLICA_URLS=urls,
    )
    router = "['aidtracker.lib.replicas.ReplicaRouter']"
    assert value == f"[('replica1', 'r1', 'default', {router}), ('replica2', 'r2', 'default', {router})]"


def test_behind_a_pooler_imports_and_migrations_connect_directly():
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:6432/aid", "DATABASE_DIRECT_URL": PG}
    pages = "(settings.DATABASES['default']['PORT'], settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'], 'server_side_binding' in settings.DATABASES['default']['OPTIONS'])"
    assert _settings_value(pages, ["manage.py", "runserver"], **env) == "('6432', True, False)"
    port = "settings.DATABASES['default']['PORT']"
    for command in ("import_bundle", "migrate", "restore"):
        assert _settings_value(port, ["manage.py", command], **env) == "5432", command
