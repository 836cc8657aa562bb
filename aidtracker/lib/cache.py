"""Cached figures that are never stale after a write.

Every cached figure's key carries the *data version*, a number in the
database (aidtracker.lib.models.DataVersion) that goes up with every write to
the domain data:

- `post_save`, `post_delete` and `m2m_changed` of every model of the domain
  apps (hospitals, deployments, outcomes) bump it, inside the writing
  transaction;
- bulk writes that send no signals (the importer's bulk_create/update) call
  `bump_data_version()` themselves, inside their transaction or from
  `transaction.on_commit`.

Why the database and not the cache: the default local-memory cache is per
process, so a version kept there would be per gunicorn worker and other
workers would go on serving old figures. The database is the one thing every
worker and every application server shares, and an UPDATE of the version row
in the same transaction as the write makes the new version visible at the
very moment the new data is (readers see both or neither). The price is one
primary-key read per request that uses the cache (memoised for the request),
and writers take the version row's lock until they commit, which serialises
concurrent writes; writes are rare next to reads here and imports are
serialised anyway.

Old entries are never deleted: keys of an old version are simply not asked
for again and expire (CACHE_TIMEOUT) or are evicted.

`cached(key_parts, compute, timeout)` takes everything that makes a figure
different: its name, the region, the filters and the user's scope key. Two
scopes never share an entry, whatever the figure.
"""

import dataclasses
import functools
import hashlib
import json
import logging
import threading
import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.models.functions import Now
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from aidtracker.lib import replicas
from aidtracker.lib.models import DataVersion

logger = logging.getLogger(__name__)

DOMAIN_APPS = frozenset({"hospitals", "deployments", "outcomes"})
KEY_PREFIX = "aid:fig"

_local = threading.local()
_MISSING = object()


def fresh_version() -> int:
    """Return a starting version above any counted up from an earlier start:
    milliseconds since the epoch. Used when the row is (re)created, e.g.
    after a flush or a restore, so that old cache entries are never hit."""
    return int(time.time() * 1000)


_VERSION_SQL = 'SELECT "version" FROM "aidtracker_dataversion" WHERE "id" = %s'
_BUMP_SQL = (
    'UPDATE "aidtracker_dataversion" SET "version" = "version" + 1, "changed_at" = %s'
    ' WHERE "id" = %s'
)


def current_data_version(using: str | None = None) -> int:
    """Return the data version; read once per request (DataVersionMiddleware),
    on every call outside requests.

    Read where the request reads its data (`router.db_for_read`): on a
    replica, its version goes with its rows, so a figure is never cached
    under a version newer than the rows it was computed from."""
    memo = getattr(_local, "version", None)
    if memo is not None:
        return memo
    if using is None:
        using = router.db_for_read(DataVersion)
    # Plain SQL: this runs on every request that uses the cache, and the
    # ORM would spend longer building the statement than the database
    # spends answering it.
    with connections[using].cursor() as cursor:
        cursor.execute(_VERSION_SQL, [1])
        row = cursor.fetchone()
    version = row[0] if row else None
    if version is None:
        # Created on the primary (a replica is read-only).
        using = DEFAULT_DB_ALIAS
        version = DataVersion.objects.using(using).get_or_create(
            pk=1, defaults={"version": fresh_version()}
        )[0].version
    if getattr(_local, "in_request", False):
        _local.version = version
    return version


def _forget() -> None:
    _local.version = None


def bump_data_version(using: str = DEFAULT_DB_ALIAS, *, fresh: bool = False) -> None:
    """Raise the data version, in the current transaction if there is one.

    Call it after a write that sends no model signals (bulk_create, update,
    raw SQL), inside the transaction of that write (best: just before it
    commits) or from `transaction.on_commit(bump_data_version)`. `fresh`
    jumps to a time-based version (after a restore, when the row itself may
    have gone back in time)."""

    if fresh:
        updated = DataVersion.objects.using(using).filter(pk=1).update(
            version=fresh_version(), changed_at=Now()
        )
    else:
        # Plain SQL, like the read: this runs after every saved row, and
        # building the ORM's UPDATE each time cost a fixture load most of
        # its time (docs/performance-history.md, "Figures behind comments").
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(
                _BUMP_SQL, [connection.ops.adapt_datetimefield_value(timezone.now()), 1]
            )
            updated = cursor.rowcount
    if not updated:
        DataVersion.objects.using(using).get_or_create(pk=1, defaults={"version": fresh_version()})
    # The request reads on the primary from now on (aidtracker/lib/replicas.py).
    replicas.note_write()
    _forget()
    transaction.on_commit(_forget, using=using)


def _is_domain_model(sender) -> bool:
    # Migrations send signals from historical models (module "__fake__")
    # before the version table may exist; they are not live writes. History
    # rows (django-simple-history, `instance_type`) accompany a write that
    # has bumped already.
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None
        and meta.app_label in DOMAIN_APPS
        and sender.__module__ != "__fake__"
        and not hasattr(sender, "instance_type")
    )


def _on_save_or_delete(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if _is_domain_model(sender):
        bump_data_version(using)


def _on_m2m_changed(sender, action, using=DEFAULT_DB_ALIAS, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and _is_domain_model(sender):
        bump_data_version(using)


def connect_signals() -> None:
    post_save.connect(_on_save_or_delete, dispatch_uid="aidtracker.lib.cache.save")
    post_delete.connect(_on_save_or_delete, dispatch_uid="aidtracker.lib.cache.delete")
    m2m_changed.connect(_on_m2m_changed, dispatch_uid="aidtracker.lib.cache.m2m")


def _key_value(value):
    """JSON stand-in for values of key parts: a model instance by its primary
    key, a dataclass (a Period) by its fields, anything else by str()."""
    if isinstance(value, models.Model):
        return f"{value._meta.label}:{value.pk}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def make_key(key_parts, version: int) -> str:
    """Return the cache key of a figure: readable name, version, digest of all parts."""
    parts = list(key_parts) if isinstance(key_parts, (list, tuple)) else [key_parts]
    name = str(parts[0]) if parts else "figure"
    encoded = json.dumps(parts, default=_key_value, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:40]
    # Memcached allows 250 characters without spaces: keep the name short and clean.
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:60]
    return f"{KEY_PREFIX}:{version}:{name}:{digest}"


def cached(key_parts, compute, timeout=None):
    """Return `compute()`, cached under `key_parts` and the current data version.

    key_parts: a tuple of JSON-able values naming everything the figure
    depends on, e.g. ("region_summary", region.code, period.start,
    period.end, specialty, scope_key). A cache that fails (Redis down) is
    logged and skipped: figures are then computed, never wrong."""
    cache = caches["default"]
    if isinstance(cache, DummyCache):
        return compute()
    if timeout is None:
        timeout = getattr(settings, "CACHE_TIMEOUT", 600)
    key = make_key(key_parts, current_data_version())
    try:
        value = cache.get(key, _MISSING)
    except Exception:  # noqa: BLE001 - any cache failure falls back to computing
        logger.warning("cache read failed for %s; computing", key, exc_info=True)
        return compute()
    if value is _MISSING:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:  # noqa: BLE001
            logger.warning("cache write failed for %s", key, exc_info=True)
    return value


def cached_call(fn, *args, scope: str, timeout=None, **kwargs):
    """Return `fn(*args, **kwargs)` through `cached`, keyed by the function's
    name, every argument and the caller's `scope` (see `scope_key`), e.g.

        cached_call(summary.region_summary, region, period, specialty=s, scope=scope_key(user))

    (`scope`: what the user may read, accounts.scope.scope_key.)
    """
    name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__qualname__}"
    return cached((name, args, kwargs, scope), lambda: fn(*args, **kwargs), timeout)


def fragment_key(request, *parts) -> str:
    """Return the key of a `{% cache %}` fragment of a page, for its template:

        {% cache cache_timeout "region-body" fragment_key %} ... {% endcache %}

    It holds the page's own parts (region, filters, page, sort), the user
    and their scope (rendered HTML may show what only they may do: links,
    actions), the language and the data version, so a fragment is never stale after a
    write and never shown to anybody else."""
    if isinstance(caches["default"], DummyCache):
        return ""
    return make_key((*parts, *_who(request), get_language()), current_data_version())


def _who(request) -> tuple:
    """The parts of a page's key that name its reader, as the request tells
    them: `request.reader()`, set by the accounts app's ReaderMiddleware (the
    user, the names the header shows, and what they may read and change).
    Without it every page is the same for everybody."""
    reader = getattr(request, "reader", None)
    return tuple(reader()) if reader is not None else ("everybody",)


class DataVersionMiddleware:
    """Reads the data version at most once per request (memoised per thread)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _local.in_request = True
        _local.version = None
        try:
            return self.get_response(request)
        finally:
            _local.in_request = False
            _local.version = None


# --------------------------------------------------------------------------
# Whole pages

#: Stands for the CSRF token in a cached page: `{% csrf_token %}` renders it
#: while a page is rendered for the cache (see `csrf_placeholder`), and every
#: answer, from the cache or not, gets a fresh masked token in its place.
CSRF_PLACEHOLDER = "aidtracker-csrf-token-placeholder-5f1c0b"


def csrf_placeholder(request):
    """Context processor: the placeholder as `csrf_token` while a page is
    rendered for the page cache (after Django's own csrf processor, so it
    wins); nothing otherwise."""
    if getattr(request, "_aid_page_cache", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def page_key(request) -> str | None:
    """Return the cache key of the whole page answering `request`, or None
    when it must not come from the cache.

    The key holds everything a page of the dashboards, lists or API depends
    on besides the data: the path with its query string, the user (their
    id and the names the header shows), their scope (role, regions,
    programs: what they may read and which links and actions they get), the
    language, today's date, and the data version, so a page is never stale
    after a write and never shown to anybody else."""
    if isinstance(caches["default"], DummyCache) or request.method != "GET":
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    # A page that shows messages (after a redirect) is rendered, not cached.
    if len(messages.get_messages(request)):
        return None
    return make_key(
        ("page", request.get_full_path(), *_who(request), get_language(), timezone.localdate().isoformat()),
        current_data_version(),
    )


def _with_token(request, content: bytes) -> bytes:
    """`content` with a fresh masked CSRF token in place of the placeholder."""
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder in content:
        content = content.replace(placeholder, get_token(request).encode())
    return content


def cached_page(view):
    """Decorator: serve the whole page (HTML or JSON) from the cache.

    On a hit the view does not run at all: the request costs the session,
    the user and their scope, the data version and one cache read. Only
    plain 200 answers to GET are stored (no streaming, no downloads, nothing
    that sets a cookie). The view's own checks (role, scope, 404 for a
    region outside the user's regions) ran when the page was stored, for
    the same user, scope and data version: everything they depend on is in
    the key (`page_key`)."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        cache = caches["default"]
        try:
            hit = cache.get(key)
        except Exception:  # noqa: BLE001 - a failing cache only means rendering
            logger.warning("cache read failed for %s; rendering", key, exc_info=True)
            return view(request, *args, **kwargs)
        if hit is not None:
            content_type, content = hit
            return HttpResponse(_with_token(request, content), content_type=content_type)
        request._aid_page_cache = True
        try:
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
                response = response.render()  # a TemplateResponse: render with the placeholder
        finally:
            request._aid_page_cache = False
        if getattr(response, "streaming", False):
            return response
        content = response.content
        if (
            response.status_code == 200
            and not response.cookies
            and not response.has_header("Content-Disposition")
        ):
            try:
                cache.set(key, (response["Content-Type"], content), getattr(settings, "CACHE_TIMEOUT", 600))
            except Exception:  # noqa: BLE001
                logger.warning("cache write failed for %s", key, exc_info=True)
        filled = _with_token(request, content)
        if filled is not content:
            response.content = filled
        return response

    return wrapper
