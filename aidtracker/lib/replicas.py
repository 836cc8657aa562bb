"""Reads on PostgreSQL streaming replicas, writes on the primary.

`DATABASE_REPLICA_URLS` names the replicas (aliases `replica1`, ...). Outside
a request (commands, imports, migrations, the shell) everything uses the
primary. Inside a request, `ReplicaMiddleware` picks where the request reads:

- a replica for GET and HEAD requests outside `DATABASE_PRIMARY_PATHS` (the
  admin, the Import page, sign-in), so the dashboards, lists, exports and the
  API read there; always the same replica for the same browser or API token
  (a hash of the session cookie or the token), so one reader never moves
  between two replicas that replay at different speeds;
- the primary for every other request, and for the rest of a request as soon
  as it writes to the domain data (`db_for_write`, `bump_data_version`) or
  opens a transaction on the primary;
- the primary when that replica is down or lags more than
  `DATABASE_REPLICA_MAX_LAG_SECONDS` (each process checks each replica at
  most every `DATABASE_REPLICA_CHECK_SECONDS`: one query on the replica, not
  one per request), or cannot be connected to at the request's first read.

Read-your-writes ("floor" cookie): after a request of a signed-in user that
wrote, or that read on the primary while replicas exist, the answer carries
a signed cookie with the primary's WAL position at its end
(`pg_current_wal_insert_lsn()`: every commit of that request, and everything
it read, lies before it). While that cookie is present, a request reads on
its replica only if the replica has replayed that position
(`pg_last_wal_replay_lsn()`, one query on the replica, only for these users);
otherwise on the primary, which sets the cookie again. So a user sees their
own write at once, and nobody reads older data after newer: the cookie
carries the newest position they have read on the primary. The cookie lasts
`DATABASE_REPLICA_PIN_SECONDS`, which settings require to be at least the lag
limit plus the check interval: by then any replica still used has replayed it.

Why not django-multidb-router (0.11, which supports Django 5.2): its pinning
is a cookie for a fixed time after any POST, it picks replicas round-robin
per query (one reader alternates between replicas), knows nothing of lag or
a replica that is down, and sends commands' reads to replicas too. What is
needed here is about as long as adapting it.

Models of `DATABASE_PRIMARY_APPS` (sessions, users, roles, sign-in lockout)
are always read on the primary: a session just written must be found at
once, and their writes do not pin the user.
"""

import logging
import threading
import time
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

FLOOR_COOKIE = "aid_lsn"
_SALT = "aidtracker.lib.replicas.floor"
_SAFE_METHODS = frozenset({"GET", "HEAD"})

_local = threading.local()


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


# --------------------------------------------------------------------------
# Each replica's state, checked at most every DATABASE_REPLICA_CHECK_SECONDS
# per process.

_STATE_SQL = """
SELECT pg_is_in_recovery(),
       (SELECT status FROM pg_stat_wal_receiver),
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) < %s,
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()),
       pg_is_wal_replay_paused(),
       pg_last_wal_replay_lsn()::text
"""


@dataclass
class ReplicaState:
    alias: str
    state: str  # ok, lagging, unavailable, not_replicating
    lag_seconds: float | None = None
    replay_paused: bool | None = None
    replay_lsn: str | None = None
    detail: str | None = None
    checked_at: float = 0.0

    @property
    def usable(self) -> bool:
        return self.state == "ok"

    def as_json(self) -> dict:
        out = {"state": self.state, "lag_seconds": self.lag_seconds}
        if self.replay_paused is not None:
            out["replay_paused"] = self.replay_paused
            out["replay_lsn"] = self.replay_lsn
        if self.detail:
            out["detail"] = self.detail
        return out


#: WAL received but not replayed up to this many bytes counts as caught up.
CAUGHT_UP_BYTES = 8192

_states: dict[str, ReplicaState] = {}
_states_lock = threading.Lock()


def check_replica(alias: str) -> ReplicaState:
    """Return the replica's state now (one query on it), and remember it."""
    connection = connections[alias]
    now = time.monotonic()
    try:
        connection.close_if_health_check_failed()
        with connection.cursor() as cursor:
            cursor.execute(_STATE_SQL, [CAUGHT_UP_BYTES])
            in_recovery, receiver, caught_up, age, paused, replay_lsn = cursor.fetchone()
    except DatabaseError as exc:
        connection.close()
        state = ReplicaState(alias, "unavailable", detail=exc.__class__.__name__, checked_at=now)
    else:
        if not in_recovery or receiver != "streaming":
            # A promoted former replica, or one cut off from the primary:
            # its data may be anything but current.
            state = "not_replicating"
            lag = None
        else:
            # Caught up with all it received (to within a WAL page: the
            # received position runs to the end of a page, the replayed one
            # stops at the last record): no lag, however long ago the last
            # write was; otherwise the age of the last transaction it
            # replayed (it has at least everything committed before then).
            lag = 0.0 if caught_up else None if age is None else round(float(age), 3)
            ok = lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
            state = "ok" if ok else "lagging"
        state = ReplicaState(alias, state, lag, paused, replay_lsn, checked_at=now)
    with _states_lock:
        _states[alias] = state
    return state


def replica_state(alias: str) -> ReplicaState:
    """Return the remembered state, checking again when it is older than
    DATABASE_REPLICA_CHECK_SECONDS."""
    state = _states.get(alias)
    if state is None or time.monotonic() - state.checked_at >= settings.DATABASE_REPLICA_CHECK_SECONDS:
        state = check_replica(alias)
    return state


def mark_unavailable(alias: str, exc: Exception) -> None:
    with _states_lock:
        _states[alias] = ReplicaState(
            alias, "unavailable", detail=exc.__class__.__name__, checked_at=time.monotonic()
        )


def forget_states() -> None:
    """Forget every remembered state (tests)."""
    with _states_lock:
        _states.clear()


# --------------------------------------------------------------------------
# The request's choice, and the router that follows it.


def note_write() -> None:
    """The current request wrote to the domain data: its reads go to the
    primary from now on, and its answer sets the floor cookie."""
    if getattr(_local, "active", False):
        _local.wrote = True


def read_alias() -> str:
    """The alias the current request reads from (the primary outside requests)."""
    alias = getattr(_local, "alias", None)
    if alias is None or getattr(_local, "wrote", False):
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        # Reads inside a transaction on the primary belong to it.
        return DEFAULT_DB_ALIAS
    if not getattr(_local, "verified", False):
        _local.verified = True
        connection = connections[alias]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except DatabaseError as exc:
            logger.warning("replica %s unavailable, reading on the primary: %s", alias, exc)
            connection.close()
            mark_unavailable(alias, exc)
            _local.alias = None
            return DEFAULT_DB_ALIAS
    return alias


class ReplicaRouter:
    """Reads where the request's choice says (`read_alias`), writes and
    migrations on the primary only."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in settings.DATABASE_PRIMARY_APPS:
            return DEFAULT_DB_ALIAS
        return read_alias()

    def db_for_write(self, model, **hints):
        if model._meta.app_label not in settings.DATABASE_PRIMARY_APPS:
            note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold the primary's very rows.
        ours = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db in replica_aliases():
            return False
        return None


def _reader_key(request) -> bytes:
    """What identifies the reader across requests: the session cookie, the
    API token, else the address."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME) or request.headers.get(
        "Authorization"
    ) or request.META.get("REMOTE_ADDR", "")
    return key.encode()


def _floor(request) -> str | None:
    try:
        return request.get_signed_cookie(
            FLOOR_COOKIE, salt=_SALT, max_age=settings.DATABASE_REPLICA_PIN_SECONDS
        )
    except (KeyError, signing.BadSignature):
        return None


def _replayed(alias: str, lsn: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to `lsn`."""
    connection = connections[alias]
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
        return bool(cursor.fetchone()[0])


def choose(request) -> str | None:
    """Return the replica alias this request reads from, or None (the primary)."""
    aliases = replica_aliases()
    if not aliases or request.method not in _SAFE_METHODS:
        return None
    if any(request.path_info.startswith(p) for p in settings.DATABASE_PRIMARY_PATHS):
        return None
    alias = aliases[zlib.crc32(_reader_key(request)) % len(aliases)]
    if not replica_state(alias).usable:
        return None
    floor = _floor(request)
    if floor is not None:
        try:
            if not _replayed(alias, floor):
                return None
        except DatabaseError as exc:
            connections[alias].close()
            mark_unavailable(alias, exc)
            return None
    return alias


def primary_position() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return cursor.fetchone()[0]


class ReplicaMiddleware:
    """Chooses where each request reads and keeps the floor cookie (see the
    module's docstring). With no replicas configured it does nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        alias = choose(request)
        _local.active = True
        _local.alias = alias
        _local.wrote = False
        _local.verified = False
        try:
            response = self.get_response(request)
        finally:
            served_by_replica = _local.alias is not None and not _local.wrote
            wrote = _local.wrote or request.method not in _SAFE_METHODS
            _local.active = False
            _local.alias = None
            _local.wrote = False
        request.read_database = (alias if served_by_replica else DEFAULT_DB_ALIAS)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if wrote or not served_by_replica:
            try:
                position = primary_position()
            except DatabaseError:
                return response  # the primary is gone: the page says so already
            response.set_signed_cookie(
                FLOOR_COOKIE, position, salt=_SALT,
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
            )
        elif FLOOR_COOKIE in request.COOKIES:
            response.delete_cookie(FLOOR_COOKIE, samesite="Lax")
        return response
