"""Whether the process running an import is still alive, and, on SQLite, one
import at a time.

An import runs in one transaction, so a process killed half-way (SIGKILL, a
server restart) writes nothing; but it cannot say so itself, and its
ImportBatch would stay "running" forever. So the process running a batch holds
a lock that the operating system or the database server drops the moment the
process dies, and the pages ask for it:

- PostgreSQL: a session-level advisory lock keyed by the batch id. The server
  frees it when the connection ends (a killed client's socket closes), and any
  server of the installation can see it in `pg_locks`.
- SQLite: an exclusive `flock` on `MEDIA_ROOT/imports/batch-<id>.lock`, which
  the kernel frees when the process dies (SQLite already needs the import and
  the pages on one machine).

On SQLite an import also holds `<database file>-import.lock` from before its
transaction until its batch is saved: SQLite has one writer at a time, and a
second import would otherwise wait for the busy timeout and then fail with
"database is locked". The Import page refuses a second import at once while
the lock is held; the command waits for it. (PostgreSQL serialises imports on
the advisory lock of interchange.importer.LOCK_KEY: the second one waits.)

The Import page's cancel ends such a process (`stop`): the import_bundle
command notes its process id beside its batch's lock, and on PostgreSQL the
session holding the batch's lock is ended as well.
"""

import fcntl
import os
import signal
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

# pg_advisory_lock(BATCH_LOCK_CLASS, batch id): one key space of its own, apart
# from the importer's single-key LOCK_KEY ("AIDB").
BATCH_LOCK_CLASS = 0x41494442


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _batch_lock_path(batch_id) -> Path:
    return _folder() / f"batch-{batch_id}.lock"


def _import_lock_path() -> Path:
    """Beside the SQLite file (every process using the database finds it,
    whatever its MEDIA_ROOT); under MEDIA_ROOT for an in-memory database."""
    name = str(connection.settings_dict["NAME"])
    if name and name != ":memory:" and not name.startswith("file:"):
        return Path(f"{name}-import.lock")
    return _folder() / "import.lock"


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


class BatchLock:
    """Held by the process running batch `batch_id`, for as long as it runs."""

    def __init__(self, batch_id):
        self.batch_id = batch_id
        self._fd = None

    def __enter__(self):
        if _sqlite():
            _folder().mkdir(parents=True, exist_ok=True)
            self._fd = os.open(_batch_lock_path(self.batch_id), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [BATCH_LOCK_CLASS, self.batch_id])
        return self

    def __exit__(self, *exc):
        if self._fd is not None:
            _batch_lock_path(self.batch_id).unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [BATCH_LOCK_CLASS, self.batch_id])
        except DatabaseError:
            pass  # the connection is gone, and the lock with it


def forget(batch_id):
    """Remove the lock file a dead process left for its batch (SQLite), and
    its process id."""
    if _sqlite():
        _batch_lock_path(batch_id).unlink(missing_ok=True)
    forget_pid(batch_id)


# -- stopping an import (the Import page's cancel) -------------------------------


def _pid_path(batch_id) -> Path:
    return _folder() / f"batch-{batch_id}.pid"


def forget_pid(batch_id):
    _pid_path(batch_id).unlink(missing_ok=True)


def record_pid(batch_id):
    """Note the id of this process, which runs batch `batch_id` (and holds
    its lock), for `stop`."""
    _folder().mkdir(parents=True, exist_ok=True)
    _pid_path(batch_id).write_text(str(os.getpid()))


def _pid_running(batch_id):
    """The id of the process on this machine running batch `batch_id`, or
    None. Only read while the batch's lock is held (so the process that
    wrote it is alive and its id not reused), and checked against the
    process's command line where /proc tells it."""
    try:
        pid = int(_pid_path(batch_id).read_text())
    except (OSError, ValueError):
        return None
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            if b"import_bundle" not in handle.read():
                return None
    except FileNotFoundError:
        return None  # gone, or another machine's
    except OSError:
        pass  # no /proc here: the lock is the proof
    return pid


def stop(batch_id, wait=15.0) -> bool:
    """End the process running batch `batch_id` (importing, or waiting for
    another import): nothing it did is committed, its transaction goes.
    Returns whether it has ended (its lock is free) within `wait` seconds.

    The process gets SIGTERM when it runs on this machine (SQLite: always),
    which ends it at once. On PostgreSQL its database session is also ended
    (pg_terminate_backend of the session holding the batch's lock), which
    works from any application server: the transaction is rolled back and
    the process, wherever it runs, fails at its next query (and could not
    commit anyway: the batch is no longer running, see service.cancel)."""
    if batch_id not in alive([batch_id]):
        return True
    pid = _pid_running(batch_id)
    if pid is not None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    if not _sqlite():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid = %s AND objsubid = 2 AND objid::bigint = %s",
                [BATCH_LOCK_CLASS, batch_id],
            )
    deadline = time.monotonic() + wait
    while batch_id in alive([batch_id]):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def alive(batch_ids) -> set:
    """The ids among `batch_ids` whose running process holds its lock. One
    query on PostgreSQL; a non-blocking `flock` per id on SQLite."""
    batch_ids = list(batch_ids)
    if not batch_ids:
        return set()
    if not _sqlite():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid = %s AND objsubid = 2 AND objid::bigint = ANY(%s)",
                [BATCH_LOCK_CLASS, batch_ids],
            )
            return {row[0] for row in cursor.fetchall()}
    held = set()
    for batch_id in batch_ids:
        try:
            fd = os.open(_batch_lock_path(batch_id), os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held.add(batch_id)
        finally:
            os.close(fd)  # closing drops the lock if this process took it
    return held


class ImportLock:
    """SQLite: the one import that may run. `wait=False` raises Busy at once
    when another import holds it; `on_wait` is called before waiting. On
    PostgreSQL the importer's advisory lock serialises imports: this only
    calls `on_wait` when another import holds that lock now (the import will
    wait for it)."""

    class Busy(Exception):
        pass

    def __init__(self, *, wait=True, on_wait=None):
        self.wait = wait
        self.on_wait = on_wait
        self._fd = None

    def __enter__(self):
        if not _sqlite():
            if self.on_wait and _pg_import_lock_held():
                self.on_wait()
            return self
        path = _import_lock_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not self.wait:
                os.close(self._fd)
                self._fd = None
                raise self.Busy from None
            if self.on_wait:
                self.on_wait()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _pg_import_lock_held() -> bool:
    from .importer import LOCK_KEY

    with connection.cursor() as cursor:
        # pg_advisory_xact_lock(bigint): classid = high 32 bits, objid = low 32 bits.
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid = 0 AND objid::bigint = %s AND objsubid = 1)",
            [LOCK_KEY],
        )
        return cursor.fetchone()[0]


def import_running() -> bool:
    """SQLite: whether an import holds the import lock now (always False on
    PostgreSQL, where a second import simply waits its turn)."""
    if not _sqlite():
        return False
    try:
        with ImportLock(wait=False):
            return False
    except ImportLock.Busy:
        return True
