"""Small typed readers of environment variables that refuse bad values.

Settings read the environment only through these helpers, so a typo in a
deployment fails at start-up with a message naming the variable, instead of
silently falling back to a default.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    """Return the variable's value, or `default` when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Return the variable as a boolean: 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use 1 or 0, true or false, yes or no."
    )


def env_choice(name: str, default: str, choices) -> str:
    """Return the variable's value if it is one of `choices` (compared
    case-insensitively; returned as spelled in `choices`), else refuse it."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    by_lower = {choice.lower(): choice for choice in choices}
    try:
        return by_lower[raw.strip().lower()]
    except KeyError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of: {', '.join(choices)}.") from None


def env_int(name: str, default: int, maximum: int | None = None) -> int:
    """Return the variable as a non-negative integer (at most `maximum`)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r} must not be negative.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at most {maximum}.")
    return value


def env_time_zone(name: str, default: str) -> str:
    """Return the variable as an IANA time zone name (e.g. Asia/Shanghai)."""
    import zoneinfo

    value = env_str(name, default).strip() or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a time zone; use a name such as Asia/Shanghai or UTC."
        ) from None
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, trimmed items."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str, base_dir: Path, variable: str = "DATABASE_URL") -> dict:
    """Return a Django DATABASES entry for a `sqlite:///...` or `postgres://...` URL
    (`variable`: the setting named in the message about a bad one)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/file.sqlite3 and sqlite:////absolute/file.sqlite3,
        # the forms dj-database-url and SQLAlchemy use.
        path = unquote(parts.path)
        if path.startswith("/"):
            path = path[1:]
        if not path:
            raise ImproperlyConfigured(f"{variable}={url!r} names no SQLite file.")
        if path != ":memory:" and not path.startswith("/"):
            path = str(base_dir / path)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"{variable}={url!r} names no database.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{variable}={url!r} has a bad port.") from None
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"{variable}={url!r}: unsupported scheme {scheme!r}; "
        "use sqlite:///path/to/file.sqlite3 or postgres://user@host:port/name."
    )


def parse_cache_url(url: str, *, disabled: bool = False) -> dict:
    """Return a Django CACHES entry for `locmem://`, `redis://...`, `rediss://...`
    or `dummy://`; `disabled` (DJANGO_CACHE_DISABLED=1) forces the dummy cache,
    which stores nothing: the uncached benchmark uses it."""
    if disabled:
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": parts.netloc or "aidtracker",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    if scheme in {"redis", "rediss"}:
        # Django's own RedisCache (redis-py) with its clients kept
        # (aidtracker/redis_cache.py); several comma-separated URLs mean one
        # primary (writes) and replicas (reads).
        return {"BACKEND": "aidtracker.lib.redis_cache.RedisCache", "LOCATION": url.split(",")}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL={url!r}: unsupported scheme {scheme!r}; "
        "use locmem://, redis://host:6379/0 or dummy://."
    )
