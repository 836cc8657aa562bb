"""Cached figures follow every write at once, and scopes never share entries."""

import datetime as dt
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from accounts.scope import scope_key
from aidtracker.lib import cache as figures
from aidtracker.lib.env import parse_cache_url
from aidtracker.lib.models import DataVersion
from outcomes.models import Surgery
from tests import factories as f


def local_alone(region):
    """A figure in the database: surgeries a local surgeon led alone in the region."""
    return Surgery.objects.in_region(region).aggregate(
        n=Count("pk", filter=Q(lead=Surgery.Lead.LOCAL))
    )["n"]


def cached_local_alone(region, scope="all"):
    return figures.cached(
        ("local_alone", region.code, "2024", scope), lambda: local_alone(region), 60
    )


def surgery(world, **kwargs):
    kwargs.setdefault("hospital", world.lhasa_peoples)
    kwargs.setdefault("lead", Surgery.Lead.LOCAL)
    return f.SurgeryFactory(**kwargs)


def test_a_saved_row_changes_the_cached_figure_at_once(world):
    assert cached_local_alone(world.tibet) == 0
    first = surgery(world)
    assert cached_local_alone(world.tibet) == 1
    first.lead = Surgery.Lead.VISITING
    first.save()
    assert cached_local_alone(world.tibet) == 0


def test_a_deleted_row_changes_the_cached_figure_at_once(world):
    row = surgery(world)
    assert cached_local_alone(world.tibet) == 1
    row.delete()
    assert cached_local_alone(world.tibet) == 0


def test_a_queryset_delete_changes_the_cached_figure_at_once(world):
    surgery(world)
    surgery(world)
    assert cached_local_alone(world.tibet) == 2
    Surgery.objects.all().delete()
    assert cached_local_alone(world.tibet) == 0


def test_a_bulk_write_with_bump_in_its_transaction_changes_the_figure(world):
    assert cached_local_alone(world.tibet) == 0
    with transaction.atomic():
        Surgery.objects.bulk_create(
            [f.SurgeryFactory.build(hospital=world.lhasa_peoples, lead="local") for _ in range(3)]
        )
        figures.bump_data_version()
    assert cached_local_alone(world.tibet) == 3


def test_a_bulk_write_with_bump_on_commit_changes_the_figure(
    world, django_capture_on_commit_callbacks
):
    """The importer's way: bulk writes, then bump_data_version from on_commit."""
    assert cached_local_alone(world.tibet) == 0
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            Surgery.objects.bulk_create(
                [f.SurgeryFactory.build(hospital=world.lhasa_peoples, lead="local") for _ in range(2)]
            )
            Surgery.objects.filter(ref__in=[]).update(lead="joint")
            transaction.on_commit(figures.bump_data_version)
    assert cached_local_alone(world.tibet) == 2


def test_a_bulk_write_without_bump_would_be_stale(world):
    """Why the importer must bump: bulk writes send no signals."""
    assert cached_local_alone(world.tibet) == 0
    Surgery.objects.bulk_create([f.SurgeryFactory.build(hospital=world.lhasa_peoples, lead="local")])
    assert cached_local_alone(world.tibet) == 0
    figures.bump_data_version()
    assert cached_local_alone(world.tibet) == 1


def test_a_write_by_another_process_is_seen(world):
    """Another gunicorn worker writes: only the shared version row tells this
    process, whose local-memory cache still holds the old figure."""
    assert cached_local_alone(world.tibet) == 0
    Surgery.objects.bulk_create([f.SurgeryFactory.build(hospital=world.lhasa_peoples, lead="local")])
    with connection.cursor() as cursor:  # what the other process's bump does
        cursor.execute(
            f"UPDATE {DataVersion._meta.db_table} SET version = version + 1 WHERE id = 1"
        )
    assert cached_local_alone(world.tibet) == 1


def test_every_domain_app_bumps_the_version(world):
    before = figures.current_data_version()
    world.lhasa.name = "Lhasa City"
    world.lhasa.save()  # hospitals
    assert figures.current_data_version() == before + 1
    f.TeamFactory(program=world.bj_lhasa)  # deployments
    assert figures.current_data_version() == before + 2
    surgery(world)  # outcomes
    assert figures.current_data_version() == before + 3


def test_other_writes_leave_the_version_alone(db, django_user_model):
    before = figures.current_data_version()
    django_user_model.objects.create_user("reader", password="pw")
    assert figures.current_data_version() == before


def test_different_scope_keys_never_share_an_entry(world):
    calls = []

    def compute_for(scope):
        def compute():
            calls.append(scope)
            return f"figures for {scope}"
        return compute

    for _ in range(2):
        assert figures.cached(("overview", "2024", "regions:540000"), compute_for("tibet")) == "figures for tibet"
        assert figures.cached(("overview", "2024", "regions:650000"), compute_for("xinjiang")) == "figures for xinjiang"
        assert figures.cached(("overview", "2024", "all"), compute_for("all")) == "figures for all"
    assert calls == ["tibet", "xinjiang", "all"]


def test_keys_differ_by_region_filters_and_version():
    key = figures.make_key(("region_summary", "540000", "2024-01-01", None, "all"), 7)
    assert key.startswith("aid:fig:7:region_summary:")
    assert len(key) < 250 and " " not in key
    others = {
        figures.make_key(("region_summary", "650000", "2024-01-01", None, "all"), 7),
        figures.make_key(("region_summary", "540000", "2023-01-01", None, "all"), 7),
        figures.make_key(("region_summary", "540000", "2024-01-01", "cardiology", "all"), 7),
        figures.make_key(("region_summary", "540000", "2024-01-01", None, "all"), 8),
    }
    assert key not in others and len(others) == 4


def test_the_version_is_read_once_per_request(world, django_assert_num_queries):
    calls = []

    def view(request):
        for _ in range(3):
            figures.cached(("x", "540000", "all"), lambda: calls.append(1) or len(calls))
        return HttpResponse("ok")

    middleware = figures.DataVersionMiddleware(view)
    with django_assert_num_queries(1):
        middleware(RequestFactory().get("/"))
    assert calls == [1]


def test_a_write_inside_a_request_is_seen_later_in_that_request(world):
    seen = []

    def view(request):
        seen.append(cached_local_alone(world.tibet))
        surgery(world)
        seen.append(cached_local_alone(world.tibet))
        return HttpResponse("ok")

    figures.DataVersionMiddleware(view)(RequestFactory().get("/"))
    assert seen == [0, 1]


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_the_disabled_cache_computes_every_time(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        cached_local_alone(world.tibet)
        cached_local_alone(world.tibet)


def test_the_version_row_comes_back_after_a_flush(db):
    DataVersion.objects.all().delete()
    version = figures.current_data_version()
    assert version > 1_600_000_000_000  # time-based, never an old counter value
    figures.bump_data_version()
    assert figures.current_data_version() == version + 1


def test_cache_urls_from_the_environment():
    from django.core.exceptions import ImproperlyConfigured

    assert parse_cache_url("locmem://")["BACKEND"].endswith("LocMemCache")
    redis = parse_cache_url("redis://127.0.0.1:6379/1")
    assert redis["BACKEND"] == "aidtracker.lib.redis_cache.RedisCache"
    assert redis["LOCATION"] == ["redis://127.0.0.1:6379/1"]
    assert parse_cache_url("redis://x/1", disabled=True)["BACKEND"].endswith("DummyCache")
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        parse_cache_url("memcache://x")


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


def test_a_shared_redis_cache_follows_writes_too(world, redis_url):
    # override_settings gives `caches` fresh connections for the new CACHES.
    with override_settings(CACHES={"default": parse_cache_url(redis_url)}):
        assert cached_local_alone(world.tibet) == 0
        assert cached_local_alone(world.tibet) == 0
        surgery(world)
        assert cached_local_alone(world.tibet) == 1
        version = figures.current_data_version()
        key = figures.make_key(("local_alone", "540000", "2024", "all"), version)
        assert caches["default"].get(key) == 1


def test_scope_keys_name_what_the_user_may_read(db, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "r@example.org", "pw")
    assert scope_key(admin) == "all"


def test_cached_call_keys_by_function_arguments_and_scope(world):
    from aidtracker.lib.periods import Period

    calls = []

    def figure(region, period, *, specialty=None):
        calls.append((region.code, period, specialty))
        return len(calls)

    y2024 = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    y2023 = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    first = figures.cached_call(figure, world.tibet, y2024, scope="all")
    assert figures.cached_call(figure, world.tibet, y2024, scope="all") == first
    figures.cached_call(figure, world.tibet, y2023, scope="all")
    figures.cached_call(figure, world.xinjiang, y2024, scope="all")
    figures.cached_call(figure, world.tibet, y2024, specialty="cardiology", scope="all")
    figures.cached_call(figure, world.tibet, y2024, scope="regions:540000")
    assert len(calls) == 5


def test_the_redis_cache_keeps_its_client(redis_url):
    """aidtracker.lib.redis_cache: one redis-py client per pool, not one per call."""
    with override_settings(CACHES={"default": parse_cache_url(redis_url)}):
        cache = caches["default"]
        cache.set("k", {"figure": 1})
        assert cache.get("k") == {"figure": 1}
        assert cache.get("missing") is None
        first = cache._cache.get_client("k")
        assert cache._cache.get_client("other") is first
        assert cache._cache.get_client("k", write=True) is first  # one server: one pool
