"""The importer of interchange-format bundles (spec sections 1–4): the run.

`import_bundle(path, ...)` reads every file of a bundle in dependency order,
checks every row (values, codes, references, rules that span rows) and
reports every error with file, line, column, value and what was expected.
Only a bundle without a single error is written, in one transaction, with the
history of each created or changed row linked to the import batch. A dry run
runs the same checks and counts exactly what the import would create, update
and leave unchanged with read-only queries against the staged rows, then
rolls back: no record table is written or locked.

Rows stream: each valid row goes to a staging table at once and is not kept
in memory; only the small reference sets (codes of regions, hospitals,
programs, teams, specialties) and the people and trainees of the bundle are,
at most IMPORT_MAX_REFERENCE_ROWS of a file. What reading may cost is bounded
by the limits of interchange/limits.py, not by the file, and reading and
checking by IMPORT_MAX_CHECK_SECONDS.

Where the rest is: what an import reports (interchange/report.py), how one
file is read and checked (interchange/handlers.py, one FileImport per kind of
file), how one cell is read (interchange/cells.py), the staging tables and
the set-based writes with their history (interchange/staging.py). This
module holds the run: the transaction, the order of the writes, and the
rollup tables kept exact (`_keep_rollups_exact`).
"""

import time
from contextlib import contextmanager, nullcontext

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aidtracker.lib.cache import bump_data_version
from deployments import coverage
from deployments import rollups as expert_rollup
from outcomes import rollups
from deployments.models import Program
from hospitals.models import Hospital, Region
from outcomes.models import Surgery, SurgeryMonth, Trainee, Training

from .cells import KnownCodes
from .changes import changed_rows
from .handlers import handler_for
from .limits import CheckTimeExceeded
from .report import Report
from .sources import Unusable, open_bundle
from .specs import FILES
from .staging import Stage

LOCK_KEY = 0x41494454  # pg_advisory_xact_lock key shared by every import ("AIDT")

# Order of the writes: people before their rotations, trainees before trainings.
WRITE_ORDER = [
    "regions.csv", "hospitals.csv", "programs.csv", "twinnings.csv", "teams.csv",
    "rotations.csv (people)", "rotations.csv", "surgeries.csv", "trainings.csv (trainees)",
    "trainings.csv", "techniques.csv", "referrals.csv", "consultations.csv", "indicators.csv",
]


class _Rollback(Exception):
    pass


class Progress:
    """Calls `callback(done, total, file_name)` about every `every` rows."""

    def __init__(self, callback, total, every=20_000):
        self.callback = callback
        self.total = total
        self.done = 0
        self.every = every

    def step(self, n, name):
        self.done += n
        if self.callback:
            self.callback(self.done, self.total, name)


def import_bundle(path, *, dry_run=False, user=None, batch=None, progress=None, before_commit=None) -> Report:
    """Import the bundle at `path`; return the Report. Writes nothing unless
    the bundle has no error at all and `dry_run` is false.

    `before_commit(report)` is called in the import's transaction after the
    writes, as the last thing before the commit: it records the import's
    outcome with its rows, or returns False to roll them back (the import
    was cancelled meanwhile; `report.cancelled` is then set)."""
    started = time.monotonic()
    report = Report(dry_run=dry_run)
    try:
        bundle = open_bundle(path)
    except Unusable as exc:
        report.unusable = str(exc)
        return report
    with bundle:
        for origin, problem in bundle.problems:
            report.add(origin, None, "", "", problem, always=True)
        for origin in bundle.unknown:
            report.add(origin, None, "", origin, _("a file of the interchange format (%(names)s)") % {
                "names": ", ".join(spec.name for spec in FILES)
            })
        total = sum(f.estimate_rows() for f in bundle.files.values())
        tracker = Progress(progress, total)
        try:
            _run(bundle, report, tracker, dry_run=dry_run, user=user, batch=batch, before_commit=before_commit)
            if "commit" in report.timings:  # deferred foreign-key checks run at the commit
                report.timings["commit"] = time.monotonic() - report.timings["commit"]
        except Unusable as exc:
            report.unusable = str(exc)
        except _Rollback:
            pass
    # Row checks and set-based checks found errors at different times: the
    # report lists them file by file (in the spec's order), line by line.
    report.finish({spec.name: i for i, spec in enumerate(FILES)})
    report.seconds = time.monotonic() - started
    return report


def _run(bundle, report, tracker, *, dry_run, user, batch, before_commit):
    """Read, check and write the bundle in one transaction; raise _Rollback
    (nothing written) on any error, and after a dry run."""
    with transaction.atomic():
        _wait_for_other_imports()
        # Reading and checking may take IMPORT_MAX_CHECK_SECONDS from now:
        # the wait for another import does not count, the writes do not.
        bundle.deadline.start(bundle.limits.check_seconds)
        try:
            stages = _read_and_check(bundle, report, tracker, dry_run=dry_run)
        finally:
            bundle.deadline.stop()
        if report.error_count:
            if dry_run:
                # What the rows without errors would change: a check that
                # fails on a few rows still says what the rest would rename.
                _list_changes(stages, report)
            raise _Rollback
        _write(stages, report, dry_run=dry_run, user=user, batch=batch)
        for stage in stages.values():
            stage.drop()
        if dry_run:
            raise _Rollback
        if before_commit is not None and before_commit(report) is False:
            report.cancelled = True
            raise _Rollback
        report.timings["commit"] = time.monotonic()  # made a duration once committed


def _wait_for_other_imports():
    if connection.vendor != "postgresql":
        return  # SQLite: one writer at a time anyway (and runlock.ImportLock)
    # Two imports at once would each check against a database the
    # other is changing: the second waits for the first to finish.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        # Memory for this transaction's sorts and hashes (the check
        # for keys twice groups every staged key; the rollup groups
        # every written surgery) and for rebuilding indexes after a
        # bulk load: PostgreSQL's defaults (4 MB, 64 MB) spill to disk.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")


def _read_and_check(bundle, report, tracker, *, dry_run):
    """Read every file of the bundle into its staging tables, checking each
    row as it comes, then run the checks that span rows; return the stages
    by label ("surgeries.csv", "rotations.csv (people)", ...)."""
    t0 = time.monotonic()
    known = KnownCodes()
    handlers = []
    stages = {}
    try:
        for spec in FILES:
            bundle_file = bundle.files.get(spec.name)
            if bundle_file is None:
                continue
            handler = handler_for(spec)(
                spec, bundle_file, known, report, tracker, dry_run=dry_run, limits=bundle.limits
            )
            handlers.append(handler)
            handler.run()
            for stage in handler.stages:
                stages[stage.label] = stage
            if hasattr(handler, "people_stage"):
                stages[handler.people_stage.label] = handler.people_stage
    except BaseException as exc:
        for handler in handlers:
            for stage in handler.stages:
                stage.abort()
        if isinstance(exc, CheckTimeExceeded):
            report.add(spec.name, handlers[-1].line if handlers else None, "", "", exc.message(), always=True)
            raise _Rollback from None
        if isinstance(exc, DatabaseError):
            # A row staged straight into its table (a first load) that
            # the database refuses: reported as at the write below.
            _refused(report, spec.name, exc)
            raise _Rollback from None
        raise
    report.timings["read+stage"] = time.monotonic() - t0
    t0 = time.monotonic()
    with _queries_until(bundle.deadline) as time_left:
        for handler in handlers:
            try:
                time_left()
                handler.checks()
                # Quality warnings: listed in the report (a dry run's too),
                # they do not stop the import. Against the rows as the
                # import would leave them (every file is staged by now).
                time_left()
                handler.warnings(stages)
            except CheckTimeExceeded as exc:
                report.add(handler.name, None, "", "", exc.message(), always=True)
                raise _Rollback from None
            except DatabaseError as exc:
                if bundle.deadline.expired():  # a check's query stopped at the deadline
                    report.add(
                        handler.name, None, "", "", CheckTimeExceeded(bundle.deadline.seconds).message(), always=True
                    )
                else:
                    _refused(report, handler.name, exc)
                raise _Rollback from None
    report.timings["checks"] = time.monotonic() - t0
    report.rows = sum(stage.rows for label, stage in stages.items() if "(" not in label)
    return stages


@contextmanager
def _queries_until(deadline):
    """Around the set-based checks: their queries stop at the deadline too
    (one may be long: the pairs of one person's rotations that overlap).
    Gives a function to call before each check, which raises
    CheckTimeExceeded when the time is up and, on PostgreSQL, sets the
    statement timeout to the time left; SQLite interrupts a query from its
    progress handler. Either makes the query fail with a DatabaseError."""
    if deadline.at is None:
        yield lambda: None
        return
    postgres = connection.vendor == "postgresql"

    def time_left():
        deadline.check()
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {max(1, int(deadline.left() * 1000))}")

    if not postgres:
        connection.ensure_connection()
        connection.connection.set_progress_handler(lambda: int(deadline.expired()), 100_000)
    finished = False
    try:
        yield time_left
        finished = True
    finally:
        if not postgres:
            connection.connection.set_progress_handler(None, 0)
        elif finished:  # (after an error the transaction is rolled back, and the setting with it)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")


def _write(stages, report, *, dry_run, user, batch):
    """Write the staged rows in WRITE_ORDER, each with its history, keeping
    the rollups exact; or, in a dry run, count what that would create and
    update. The counts go to the report."""
    when = timezone.now()
    user_id = getattr(user, "pk", None)
    batch_id = getattr(batch, "pk", None)
    label = ""
    try:
        with transaction.atomic():
            with nullcontext() if dry_run else _keep_rollups_exact(stages, report):
                for label in WRITE_ORDER:
                    stage = stages.get(label)
                    if stage is None:
                        continue
                    t0 = time.monotonic()
                    if dry_run:
                        created, updated = stage.classify()
                        found = changed_rows(stage) if updated else None
                        if found:
                            report.changes[label] = found
                    else:
                        created, updated = stage.upsert(when=when, user_id=user_id, batch_id=batch_id)
                    report.timings[f"write {label}"] = time.monotonic() - t0
                    report.counts[label] = {
                        "created": created,
                        "updated": updated,
                        "unchanged": stage.rows - created - updated,
                    }
            if not dry_run and any(c["created"] or c["updated"] for c in report.counts.values()):
                # Bulk upserts send no model signals: raise the data version
                # in this transaction, so cached figures (aidtracker/cache.py)
                # move on exactly when these rows become visible.
                bump_data_version()
            if connection.vendor == "sqlite":
                connection.check_constraints()  # SQLite defers foreign keys to the commit
    except DatabaseError as exc:
        # The checks above should leave nothing for the database to refuse;
        # if it still does, say so plainly instead of a traceback.
        _refused(report, label, exc)
        raise _Rollback from None


def _list_changes(stages, report):
    """Put in the report what the staged rows would update (interchange/changes.py)."""
    try:
        for label in WRITE_ORDER:
            stage = stages.get(label)
            if stage is not None:
                found = changed_rows(stage)
                if found:
                    report.changes[label] = found
    except DatabaseError:
        # Rows a check refused may be in a state the database cannot
        # compare: the errors are the report then, without the changes.
        report.changes = {}


def _refused(report, label, exc):
    """Report what the database refused (its first line), not a traceback."""
    report.add(
        label, None, "", "",
        _("the database refused these rows: %(error)s") % {"error": str(exc).strip().splitlines()[0]},
        always=True,
    )


# -- the rollup tables ------------------------------------------------------------


@contextmanager
def _keep_rollups_exact(stages, report):
    """Around the writes of an import: keep the rollup tables exact, which
    bulk upserts (no model signals) would otherwise leave behind. Every call
    of the importer into outcomes.rollups and deployments.rollups is here.

    - The monthly surgery rollup: the hospitals and months the written
      surgeries were in (read before the writes: an update may move one) or
      are in now are rebuilt from the surgeries, set-based.
    - The trainee rollups: for a few trainees their contributions are read
      before and after and the difference added; for many, the hospitals
      they were in or are in now are rebuilt from the trainings (the
      trainees of further study hosted by a hospital moving to another
      region among them). Regions put under another parent: the trainee
      spans of programs and hosts are rebuilt whole (their host provinces).
    - The expert rollups: when only rotations (and their people) are
      staged, of a few people, their contributions are read before and
      after and the difference added; else rebuilt whole when programs,
      teams, rotations or people changed (a program or team may move
      rotations to another region or donor, a person's home hospital to
      another home key).
    - The covered days (deployments/coverage.py): rebuilt whole when teams
      or rotations changed.

    All in the import's transaction; after a dry run nothing is called."""
    t0 = time.monotonic()
    surgeries = stages.get("surgeries.csv")
    surgery_groups = _surgeries_touched(surgeries) if surgeries is not None else None
    trainees = _touched_trainees_sql(stages)
    trainee_delta = trainee_hospitals = None
    if trainees is not None:
        codes = _first_codes(trainees, rollups.DELTA_MAX_TRAINEES + 1)
        if len(codes) <= rollups.DELTA_MAX_TRAINEES:
            trainee_delta = rollups.TraineeDelta(codes).before()
        else:
            trainee_hospitals = _hospitals_of_trainees(trainees)
    expert_delta = _expert_delta(stages)
    regions_moved = _regions_moved(stages)
    report.timings["rollups"] = time.monotonic() - t0

    yield

    t0 = time.monotonic()
    if surgery_groups and _changed(report, "surgeries.csv"):
        with surgeries.derived_write(SurgeryMonth._meta.db_table):
            rollups.rebuild_surgery_months(*surgery_groups)
    if trainee_delta is not None:
        trainee_delta.after()
    elif trainee_hospitals is not None:
        rollups.rebuild_trainees(trainee_hospitals | _hospitals_of_trainees(trainees))
    # People's home hospitals are a key of the expert rollups too.
    if _changed(report, "programs.csv", "teams.csv", "rotations.csv (people)", "rotations.csv"):
        if expert_delta is not None:
            expert_delta.after()
        else:
            expert_rollup.rebuild_experts()
    if _changed(report, "teams.csv", "rotations.csv"):
        coverage.rebuild_covered()
    if regions_moved:
        rollups.rebuild_trainee_groups()  # hospitals below them may be in another province now
    report.timings["rollups"] += time.monotonic() - t0


def _changed(report, *labels):
    """Whether the import created or updated rows of any of these files."""
    return any(
        report.counts.get(label, {}).get(key) for label in labels for key in ("created", "updated")
    )


def _surgeries_touched(stage: Stage):
    """(hospital codes, first date, last date) of the staged surgeries and of
    the surgeries already there with the same refs (an update may move one),
    or None when nothing is staged. One query."""
    if stage.rows == 0:
        return None
    stage.analyze()
    table = Surgery._meta.db_table
    with connection.cursor() as cursor:
        if stage.direct:  # the table holds the staged rows and nothing else
            cursor.execute(f"SELECT hospital_id, MIN(date), MAX(date) FROM {table} GROUP BY hospital_id")
        else:
            cursor.execute(
                f"SELECT g.hospital_id, MIN(g.date), MAX(g.date) FROM ("
                f"SELECT s.hospital_id, s.date FROM {stage.name} s UNION ALL "
                f"SELECT t.hospital_id, t.date FROM {table} t INNER JOIN {stage.name} s ON t.ref = s.ref"
                f") g GROUP BY g.hospital_id"
            )
        rows = cursor.fetchall()
    if not rows:
        return None
    return {r[0] for r in rows}, min(r[1] for r in rows), max(r[2] for r in rows)


def _touched_trainees_sql(stages):
    """SQL selecting the codes of the trainees of the staged trainees and
    trainings, of the trainings these replace, and of the trainings of the
    programs the staged programs move to another donor (the span rollup is
    keyed by donor) and of the further study hosted by the staged hospitals
    that move to another region (the host province is a key); None when no
    stage holds such a row. Read before the writes, as the programs' donors
    and the hospitals' regions are compared with the staged ones."""
    trainees = stages.get("trainings.csv (trainees)")
    trainings = stages.get("trainings.csv")
    programs = stages.get("programs.csv")
    parts = []
    if trainees is not None and trainees.rows:
        parts.append(f"SELECT code FROM {trainees.name}")
    if trainings is not None and trainings.rows:
        parts.append(f"SELECT trainee_id AS code FROM {trainings.name}")
        parts.append(
            f"SELECT t.trainee_id FROM {Training._meta.db_table} t "
            f"INNER JOIN {trainings.name} s ON t.ref = s.ref"
        )
    hospitals = stages.get("hospitals.csv")
    if hospitals is not None and hospitals.rows and not hospitals.direct:
        # a host hospital moving to another region: its further study may
        # move to another province's key (TraineeGroupSpanMonth)
        parts.append(
            f"SELECT t.trainee_id AS code FROM {Training._meta.db_table} t "
            f"INNER JOIN {Hospital._meta.db_table} h ON h.code = t.host_hospital_id "
            f"INNER JOIN {hospitals.name} s ON s.code = h.code AND s.region_id <> h.region_id"
        )
    if programs is not None and programs.rows and not programs.direct:  # direct: no programs before
        parts.append(
            f"SELECT t.trainee_id AS code FROM {Training._meta.db_table} t "
            f"INNER JOIN {Program._meta.db_table} p ON p.code = t.program_id "
            f"INNER JOIN {programs.name} s ON s.code = p.code AND s.donor_region_id <> p.donor_region_id"
        )
    return " UNION ".join(parts) or None


def _regions_moved(stages) -> bool:
    """Whether the staged regions put one already there under another
    parent (read before the writes). One query, none without regions."""
    regions = stages.get("regions.csv")
    if regions is None or not regions.rows or regions.direct:  # direct: no regions before
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Region._meta.db_table} r INNER JOIN {regions.name} s ON s.code = r.code "
            "WHERE s.parent_id <> r.parent_id OR (s.parent_id IS NULL) <> (r.parent_id IS NULL)"
        )
        return cursor.fetchone() is not None


def _expert_delta(stages):
    """An ExpertDelta of the people of the staged rotations, its "before"
    read, when rotations alone are staged (a rotation keeps its person: the
    import matches it by team and person; the staged people are those of
    the staged rotations) and they are few; else None (the expert rollups
    are rebuilt whole if anything changed)."""
    rotations = stages.get("rotations.csv")
    if rotations is None or not rotations.rows:
        return None
    if any(stages.get(label) is not None and stages.get(label).rows for label in ("programs.csv", "teams.csv")):
        return None
    people = _first_codes(f"SELECT DISTINCT person_id AS code FROM {rotations.name}", expert_rollup.DELTA_MAX_PEOPLE + 1)
    if len(people) > expert_rollup.DELTA_MAX_PEOPLE:
        return None
    return expert_rollup.ExpertDelta(people).before()


def _first_codes(trainees_sql, limit):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT code FROM ({trainees_sql}) c LIMIT %s", [limit])
        return [row[0] for row in cursor.fetchall()]


def _hospitals_of_trainees(trainees_sql):
    """The hospitals the trainees are in now (in this transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT hospital_id FROM {Trainee._meta.db_table} WHERE code IN ({trainees_sql})"
        )
        return {row[0] for row in cursor.fetchall()}
