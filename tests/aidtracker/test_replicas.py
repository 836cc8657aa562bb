"""Read replicas for real: a PostgreSQL streaming replica of the test
database's cluster (scripts/pg_replica_and_pooler.sh makes one on
127.0.0.1:5433; `TEST_REPLICA_PORT` names another port).

Each test adds the replica as `replica1` the way DATABASE_REPLICA_URLS does,
writes committed rows (transactional tests: the replica only ever sees what
the primary committed), and asks the connection that served a page
`SELECT pg_is_in_recovery()`. Tests that pause the replica's replay hold a
lock file, so parallel workers never pause it under each other.

Skipped without a replica locally; with `CI` set they fail instead.
"""

import fcntl
import os
import time

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aidtracker.lib import replicas
from outcomes.models import Surgery
from tests.outcomes.test_forms import surgery_data

# replica1 is declared for the whole run (tests/conftest.py); the router
# uses it only where a test lists it in settings.DATABASE_REPLICAS.
pytestmark = pytest.mark.django_db(
    transaction=True,
    databases=["default", "replica1"] if "replica1" in settings.DATABASES else ["default"],
)

REPLICA_PORT = os.environ.get("TEST_REPLICA_PORT", "5433")
LOCK_FILE = "/tmp/aidtracker-replica-tests.lock"


def _one(alias, sql, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_replayed(alias="replica1", timeout=15.0):
    """Wait until the replica has replayed everything the primary has written."""
    target = _one("default", "SELECT pg_current_wal_insert_lsn()::text")
    deadline = time.monotonic() + timeout
    while not _one(alias, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
        assert time.monotonic() < deadline, "the replica did not replay in time"
        time.sleep(0.05)


@pytest.fixture
def replica(transactional_db, settings):
    """`replica1`, a live streaming replica, for this test only."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("PostgreSQL only (read replicas)")
    lock = open(LOCK_FILE, "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    settings.DATABASE_REPLICAS = ["replica1"]
    replicas.forget_states()
    try:
        in_recovery = _one("replica1", "SELECT pg_is_in_recovery()")
    except Exception as exc:  # noqa: BLE001 - any failure means: no replica here
        lock.close()
        message = f"no streaming replica on 127.0.0.1:{REPLICA_PORT} ({exc.__class__.__name__}); " \
                  "scripts/pg_replica_and_pooler.sh makes one"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert in_recovery, f"the server on port {REPLICA_PORT} is not a replica"
    _one("replica1", "SELECT pg_wal_replay_resume()::text")
    try:
        yield "replica1"
    finally:
        try:
            _one("replica1", "SELECT pg_wal_replay_resume()::text")
        finally:
            connections["replica1"].close()
            replicas.forget_states()
            lock.close()


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator)
    return client


def served_by(response):
    """The alias that served the request's reads, and whether that server
    says it is a replica (asked on that very connection)."""
    alias = response.wsgi_request.read_database
    return alias, _one(alias, "SELECT pg_is_in_recovery()")


def test_reads_of_pages_land_on_the_replica(replica, world, coordinator, coord_client):
    wait_replayed()
    with CaptureQueriesContext(connections[replica]) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        for url in ["/", "/regions/540000/", "/surgeries/", "/api/v1/regions/"]:
            response = coord_client.get(url)
            assert response.status_code == 200, url
            assert served_by(response) == ("replica1", True), url
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    primary_sql = " ".join(q["sql"] for q in on_primary.captured_queries)
    assert "aidtracker_dataversion" in replica_sql  # the cache's key is read beside the data
    assert "hospitals_region" in replica_sql
    # The primary only sees the session and the signed-in user with their scope.
    for table in ("outcomes_", "aidtracker_dataversion"):
        assert table not in primary_sql, table
    assert "aid_lsn" not in response.cookies


def test_writes_land_on_the_primary_and_pin_the_writer(replica, world, coord_client):
    wait_replayed()
    response = coord_client.post(reverse("outcomes:surgery_create"), surgery_data())
    assert response.status_code == 302
    assert served_by(response) == ("default", False)
    assert Surgery.objects.using("default").count() == 1
    assert "aid_lsn" in response.cookies


def test_a_user_sees_their_own_write_at_once_while_replay_is_paused(
    replica, world, coordinator, coord_client, django_user_model, settings
):
    from tests.conftest import _make_user

    # Long enough that a paused replica is still used for other readers.
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600
    other = Client()
    other.force_login(_make_user(django_user_model, "other", "official", all_regions=True))
    wait_replayed()
    assert other.get("/surgeries/").status_code == 200  # cached on the replica, before the write

    _one(replica, "SELECT pg_wal_replay_pause()::text")
    response = coord_client.post(reverse("outcomes:surgery_create"), surgery_data(procedure="Replica check"))
    assert response.status_code == 302
    ref = Surgery.objects.using("default").get().ref

    mine = coord_client.get("/surgeries/")
    assert served_by(mine) == ("default", False)
    assert ref in mine.content.decode()
    assert Surgery.objects.using(replica).count() == 0  # the replica has not replayed it

    theirs = other.get("/surgeries/")
    assert served_by(theirs) == ("replica1", True)
    assert ref not in theirs.content.decode()

    _one(replica, "SELECT pg_wal_replay_resume()::text")
    wait_replayed()
    again = coord_client.get("/surgeries/")
    assert served_by(again) == ("replica1", True)  # caught up: back on the replica
    assert ref in again.content.decode()
    assert again.cookies["aid_lsn"].value == ""  # the floor cookie is dropped
    # The other reader's page was cached under the replica's old data
    # version; the replica's new version is a new key, with the new row.
    theirs = other.get("/surgeries/")
    assert served_by(theirs) == ("replica1", True)
    assert ref in theirs.content.decode()


def test_a_lagging_replica_is_skipped(replica, world, coord_client, settings):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 0
    wait_replayed()
    _one(replica, "SELECT pg_wal_replay_pause()::text")
    # WAL the replica receives but does not replay (more than a page of it)
    fields = _surgery_fields(world)
    Surgery.objects.bulk_create(
        [Surgery(**{**fields, "ref": f"S-LAG-{i}", "procedure": "x" * 200}) for i in range(200)]
    )
    deadline = time.monotonic() + 10
    while replicas.check_replica(replica).state != "lagging":
        assert time.monotonic() < deadline, replicas.check_replica(replica)
        time.sleep(0.05)
    response = coord_client.get("/surgeries/")
    assert response.status_code == 200
    assert served_by(response) == ("default", False)
    health = coord_client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["replicas"]["replica1"]["state"] == "lagging"
    assert health["replicas"]["replica1"]["replay_paused"] is True


def _surgery_fields(world):
    from tests import factories as f

    return dict(ref="S-LAG", date="2024-03-05", hospital=world.lhasa_peoples, specialty=f.specialty(),
                procedure="x", grade=2, approach="open", lead="local", outcome="success")


def test_a_replica_that_is_down_degrades_to_the_primary(replica, world, coord_client):
    # The replica's address on a closed port, as a stopped replica looks:
    # its users read on the primary, without an error page.
    _point(replica, "1")
    replicas.forget_states()
    try:
        for url in ["/", "/surgeries/", "/api/v1/regions/"]:
            response = coord_client.get(url)
            assert response.status_code == 200, url
            assert served_by(response) == ("default", False)
        health = coord_client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["replicas"] == {
            "replica1": {"state": "unavailable", "lag_seconds": None, "detail": "OperationalError"}
        }
    finally:
        _point(replica, REPLICA_PORT)


def test_a_replica_that_stops_between_checks_is_skipped_at_the_first_read(
    replica, world, coord_client, settings
):
    # The process still believes the replica is fine (checked a moment ago);
    # the request's first read finds it gone and reads on the primary.
    wait_replayed()
    assert replicas.replica_state(replica).usable
    _point(replica, "1")
    try:
        response = coord_client.get("/surgeries/")
        assert response.status_code == 200
        assert served_by(response) == ("default", False)
        assert replicas.replica_state(replica).state == "unavailable"
    finally:
        _point(replica, REPLICA_PORT)


def _point(alias, port):
    connections[alias].close()
    connections.settings[alias]["PORT"] = port
    del connections[alias]


def test_healthz_reports_each_replica(replica, client, settings):
    wait_replayed()
    body = client.get("/healthz").json()
    state = body["replicas"]["replica1"]
    assert state["state"] == "ok"
    # Zero when it has replayed all it received; a busy primary may have
    # sent more since.
    assert 0 <= state["lag_seconds"] <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    assert state["replay_paused"] is False
    assert state["replay_lsn"]
