"""Shared test set-up: fast password hashing, the system Chromium for
Playwright, and the actors and reference data most tests need."""

import os

import pytest

SYSTEM_CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    from django.conf import settings
    from django.db.models.signals import post_migrate

    # Password hashing is slow on purpose; tests do not need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    post_migrate.connect(_restore_reference_data, dispatch_uid="tests.restore_reference_data")

    # The .mo files are build output (make test compiles them too); compile
    # stale ones here so that a bare `pytest` sees the Chinese interface.
    from aidtracker.lib.catalogues import compile_catalogues

    compile_catalogues(settings.LOCALE_PATHS)

    _declare_test_replica(settings)


#: A streaming replica of the test database's PostgreSQL cluster, for
#: tests/aidtracker/test_replicas.py (scripts/pg_replica_and_pooler.sh makes
#: one on port 5433).
TEST_REPLICA_ALIAS = "replica1"


def _declare_test_replica(settings):
    """Declare `replica1` before the test databases are set up: a mirror of
    the test database (a physical replica holds it too), never created,
    migrated or flushed. Only the replica tests route reads to it
    (settings.DATABASE_REPLICAS stays empty for every other test)."""
    import copy

    from django.db import connections

    default = settings.DATABASES["default"]
    if not default["ENGINE"].endswith("postgresql") or TEST_REPLICA_ALIAS in settings.DATABASES:
        return
    replica = copy.deepcopy(default)
    replica["PORT"] = os.environ.get("TEST_REPLICA_PORT", "5433")
    replica["OPTIONS"] = {**replica.get("OPTIONS", {}), "connect_timeout": "2"}
    replica["TEST"] = {"MIRROR": "default"}
    settings.DATABASES[TEST_REPLICA_ALIAS] = replica
    connections.__dict__.pop("settings", None)  # read DATABASES again


def _restore_reference_data(sender, using="default", **kwargs):
    """A transactional test (live server, backups, failures) ends with a
    flush, which also empties what migrations filled: the specialty code
    list. The flush sends post_migrate; put the rows back for later tests."""
    if sender.label != "hospitals":
        return
    import importlib

    from django.apps import apps

    if not apps.get_model("hospitals", "Specialty").objects.using(using).exists():
        importlib.import_module("hospitals.migrations.0002_specialties").add_specialties(apps, None)


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium: CI installs it and must run them;
    elsewhere they are skipped with a reason instead of failing obscurely."""
    if os.path.exists(SYSTEM_CHROMIUM) or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {SYSTEM_CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Start and leave every test in English: a request leaves its language
    active on the thread (LocaleMiddleware never resets it), so one test's
    Chinese page would otherwise turn the next test's messages Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": SYSTEM_CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: versions repeat across tests
    (every test's writes are rolled back), so entries must not outlive one."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield


@pytest.fixture
def artifacts_dir():
    """Folder for screenshots and other files a person may want to look at."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture
def postgres_only(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (CI runs the suite on PostgreSQL too)")


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")


@pytest.fixture
def world(db):
    """A small, realistic world: Tibet and Xinjiang with two programs."""
    from tests import factories as f

    return f.make_world()




# --- Actors: one user per role, with the scope the role matrix uses. ---------------
# The coordinator coordinates BJ-LHASA (recipient: Lhasa People's Hospital, Tibet);
# the regional official reads Tibet only; `official_all` reads everything.

ACTOR_PASSWORD = "pw"


def _make_user(django_user_model, username, role, programs=(), regions=(), all_regions=False):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", ACTOR_PASSWORD)
    profile = user.profile
    profile.role = role
    profile.all_regions = all_regions
    profile.save()
    profile.programs.set(programs)
    profile.regions.set(regions)
    return user


@pytest.fixture
def coordinator(world, django_user_model):
    return _make_user(django_user_model, "coord", "coordinator", programs=[world.bj_lhasa])


@pytest.fixture
def official(world, django_user_model):
    """An official of one region: Tibet (540000)."""
    return _make_user(django_user_model, "official", "official", regions=[world.tibet])


@pytest.fixture
def official_all(world, django_user_model):
    return _make_user(django_user_model, "official_all", "official", all_regions=True)


@pytest.fixture
def viewer(world, django_user_model):
    return _make_user(django_user_model, "viewer", "viewer", all_regions=True)


@pytest.fixture
def actors(world, admin_user, coordinator, official, official_all, viewer):
    """Every role by name, plus None for a signed-out visitor."""
    return {
        "anonymous": None,
        "admin": admin_user,
        "coordinator": coordinator,
        "official": official,
        "official_all": official_all,
        "viewer": viewer,
    }


@pytest.fixture
def client_as(client):
    """client_as(user) -> the test client signed in as `user` (None: signed out)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a live-server test: its transactional teardown emptied every
    table, the specialty list that a migration wrote included; put it back
    for the tests that follow."""
    yield
    if nextitem is None or "live_server" not in getattr(item, "fixturenames", ()):
        return  # the last test: the test database is already gone
    import importlib

    from django.apps import apps
    from pytest_django.plugin import blocking_manager_key

    migration = importlib.import_module("hospitals.migrations.0002_specialties")
    with item.config.stash[blocking_manager_key].unblock():
        from hospitals.models import Specialty

        if not Specialty.objects.exists():
            migration.add_specialties(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Through a pooler in transaction mode (DATABASE_DIRECT_URL set), end
    the pooler's idle server connections to the test database before it is
    dropped: PostgreSQL refuses to drop a database others are connected to,
    and the pooler keeps them open for its next clients."""
    from django.db import connections

    if "direct" not in connections:
        yield
        return
    # Processes the tests start (the Import page's import, gunicorn) connect
    # directly to the test database, not to the one it was made beside.
    from urllib.parse import urlsplit, urlunsplit

    original = os.environ["DATABASE_DIRECT_URL"]
    parts = urlsplit(original)
    os.environ["DATABASE_DIRECT_URL"] = urlunsplit(
        parts._replace(path="/" + connections["default"].settings_dict["NAME"])
    )
    yield
    os.environ["DATABASE_DIRECT_URL"] = original
    direct = connections["direct"]
    name = connections["default"].settings_dict["NAME"]
    # A connection of its own: the last test's guards are still on Django's.
    raw = direct.get_new_connection(direct.get_connection_params())
    try:
        raw.autocommit = True
        raw.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
    finally:
        raw.close()
