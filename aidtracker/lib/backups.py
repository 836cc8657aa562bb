"""Backups of the whole database, and restoring one.

PostgreSQL: `pg_dump --format=custom` (compressed, restorable table by table)
and `pg_restore --clean --single-transaction`, so that a restore either
replaces everything or, on any error, changes nothing. SQLite: the online
backup API of sqlite3, a consistent copy even while others write.

Both work on the database Django is connected to (tests: pytest-django's
test database), not on a name read again from the environment.
"""

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections

from aidtracker.lib.cache import bump_data_version


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def _direct_settings(connection) -> dict:
    """The connection settings pg_dump and pg_restore use: PostgreSQL itself
    (the `direct` alias, DATABASE_DIRECT_URL) when the application goes
    through a pooler in transaction mode. Both set the session's search_path
    to nothing, which a pooler would hand on to its next clients."""
    if connection.alias == DEFAULT_DB_ALIAS and "direct" in connections:
        return connections["direct"].settings_dict
    return connection.settings_dict


def _pg_args(settings: dict) -> tuple[list[str], dict]:
    args = []
    if settings.get("HOST"):
        args += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    # In UTC, as it says: Django sets TZ to TIME_ZONE for its own process,
    # and pg_dump would stamp the archive with that local time labelled UTC.
    env = {**os.environ, "TZ": "UTC"}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    sslmode = settings.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} was not found; install the PostgreSQL client (apt-get install postgresql-client)."
        )
    return path


def _run(cmd: list[str], env: dict, what: str) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")


def _private_file(path: Path) -> None:
    """Create `path` empty and readable by its owner only, for the backup to
    be written into: a backup holds password hashes and sessions."""
    path.unlink(missing_ok=True)
    path.touch(mode=0o600)


def backup(out: Path, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write a backup of the database to `out`; return what was done."""
    connection = connections[using]
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise BackupError(f"The folder {out.parent} does not exist.")
    started = time.monotonic()
    if connection.vendor == "postgresql":
        args, env = _pg_args(_direct_settings(connection))
        tmp = out.with_name(out.name + ".partial")
        _private_file(tmp)
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp), *args,
             "--dbname", connection.settings_dict["NAME"]],
            env, "pg_dump",
        )
        tmp.replace(out)  # a backup file is either complete or absent
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        tmp = out.with_name(out.name + ".partial")
        _private_file(tmp)
        target = sqlite3.connect(tmp)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        tmp.replace(out)
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    return {
        "vendor": connection.vendor,
        "file": str(out),
        "bytes": out.stat().st_size,
        "seconds": round(time.monotonic() - started, 2),
    }


def restore(source: Path, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Replace the database's contents with the backup `source`; return what was done."""
    connection = connections[using]
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    started = time.monotonic()
    if connection.vendor == "postgresql":
        args, env = _pg_args(_direct_settings(connection))
        # A file pg_restore cannot read stops here, before anything is dropped.
        _run([_tool("pg_restore"), "--list", str(source)], env, f"Reading {source} as a pg_dump archive")
        connection.close()
        _run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--exit-on-error", *args, "--dbname", connection.settings_dict["NAME"], str(source)],
            env, "pg_restore",
        )
    elif connection.vendor == "sqlite":
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            src.execute("SELECT count(*) FROM django_migrations").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not an Aidtracker SQLite backup: {exc}") from None
        try:
            connection.ensure_connection()
            src.backup(connection.connection)
        finally:
            src.close()
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported.")
    # The restored version row may be older than figures cached since the
    # backup: jump to a fresh version and drop the cache.
    bump_data_version(using, fresh=True)
    for cache in caches.all():
        cache.clear()
    return {
        "vendor": connection.vendor,
        "file": str(source),
        "seconds": round(time.monotonic() - started, 2),
    }
