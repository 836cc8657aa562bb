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
programs, teams, specialties) and the people and trainees of the bundle are.

Where the rest is: what an import reports (interchange/report.py), how one
file is read and checked (interchange/handlers.py, one FileImport per kind of
file), how one cell is read (interchange/cells.py), the staging tables and
the set-based writes with their history (interchange/staging.py). This
module holds the run: the transaction, the order of the writes, the rollups.
"""

import time

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aidtracker.lib.cache import bump_data_version
from deployments import rollups as expert_rollup
from outcomes import rollups
from outcomes.models import Surgery, Trainee, Training

from .cells import KnownCodes
from .handlers import handler_for
from .report import Report
from .sources import Unusable, open_bundle
from .specs import FILES

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


# -- the whole bundle -------------------------------------------------------------


def import_bundle(path, *, dry_run=False, user=None, batch=None, progress=None) -> Report:
    """Import the bundle at `path`; return the Report. Writes nothing unless
    the bundle has no error at all and `dry_run` is false."""
    started = time.monotonic()
    report = Report(dry_run=dry_run)
    try:
        bundle = open_bundle(path)
    except Unusable as exc:
        report.unusable = str(exc)
        return report
    with bundle:
        for origin in bundle.unknown:
            report.add(origin, None, "", origin, _("a file of the interchange format (%(names)s)") % {
                "names": ", ".join(spec.name for spec in FILES)
            })
        total = sum(f.estimate_rows() for f in bundle.files.values())
        tracker = Progress(progress, total)
        try:
            _run(bundle, report, tracker, dry_run=dry_run, user=user, batch=batch)
            if "commit" in report.timings:  # deferred foreign-key checks run at the commit
                report.timings["commit"] = time.monotonic() - report.timings["commit"]
        except Unusable as exc:
            report.unusable = str(exc)
        except _Rollback:
            pass
    # Row checks and set-based checks found errors at different times: the
    # report lists them file by file (in the spec's order), line by line.
    order = {spec.name: i for i, spec in enumerate(FILES)}
    report.errors.sort(key=lambda e: (order.get(e.file, -1), e.line or 0))
    report.seconds = time.monotonic() - started
    return report


def _surgeries_touched(stage):
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


class _TraineeRollups:
    """Keeps the trainee rollups (outcomes/rollups.py) exact across the writes
    of the trainees and trainings stages, which send no model signals: for a
    few trainees their contributions are read before and after and the
    difference added; for many, the hospitals they were in or are in now are
    rebuilt from the trainings (set-based, in this transaction)."""

    TRAINEES, TRAININGS = "trainings.csv (trainees)", "trainings.csv"

    def __init__(self, stages):
        self.trainees = stages.get(self.TRAINEES)
        self.trainings = stages.get(self.TRAININGS)
        self.delta = None
        self.hospitals = None

    def _touched_sql(self):
        """Trainee codes of the staged rows and of the trainings they replace."""
        parts = []
        if self.trainees is not None:
            parts.append(f"SELECT code FROM {self.trainees.name}")
        if self.trainings is not None:
            parts.append(f"SELECT trainee_id FROM {self.trainings.name}")
            parts.append(
                f"SELECT t.trainee_id FROM {Training._meta.db_table} t "
                f"INNER JOIN {self.trainings.name} s ON t.ref = s.ref"
            )
        return " UNION ".join(parts)

    def before(self):
        if not any(stage is not None and stage.rows for stage in (self.trainees, self.trainings)):
            return
        touched = self._touched_sql()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT code FROM ({touched}) c LIMIT %s", [rollups.DELTA_MAX_TRAINEES + 1])
            codes = [row[0] for row in cursor.fetchall()]
            if len(codes) <= rollups.DELTA_MAX_TRAINEES:
                self.delta = rollups.TraineeDelta(codes).before()
                return
            cursor.execute(
                f"SELECT DISTINCT hospital_id FROM {Trainee._meta.db_table} WHERE code IN ({touched})"
            )
            self.hospitals = {row[0] for row in cursor.fetchall()}

    def after(self):
        if self.delta is not None:
            self.delta.after()
        elif self.hospitals is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT DISTINCT hospital_id FROM {Trainee._meta.db_table} "
                    f"WHERE code IN ({self._touched_sql()})"
                )
                self.hospitals |= {row[0] for row in cursor.fetchall()}
            rollups.rebuild_trainees(self.hospitals)


def _refused(report, label, exc):
    """Report what the database refused (its first line), not a traceback."""
    report.add(
        label, None, "", "",
        _("the database refused these rows: %(error)s") % {"error": str(exc).strip().splitlines()[0]},
    )


def _run(bundle, report, tracker, *, dry_run, user, batch):
    with transaction.atomic():
        if connection.vendor == "postgresql":
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
        t0 = time.monotonic()
        known = KnownCodes()
        imports = []
        stages = {}
        try:
            for spec in FILES:
                bundle_file = bundle.files.get(spec.name)
                if bundle_file is None:
                    continue
                handler = handler_for(spec)(spec, bundle_file, known, report, tracker, dry_run=dry_run)
                imports.append(handler)
                handler.run()
                for stage in handler.stages:
                    stages[stage.label] = stage
                if hasattr(handler, "people_stage"):
                    stages[handler.people_stage.label] = handler.people_stage
        except BaseException as exc:
            for handler in imports:
                for stage in handler.stages:
                    stage.abort()
            if isinstance(exc, DatabaseError):
                # A row staged straight into its table (a first load) that
                # the database refuses: reported as at the write below.
                _refused(report, spec.name, exc)
                raise _Rollback from None
            raise
        report.timings["read+stage"] = time.monotonic() - t0
        t0 = time.monotonic()
        for handler in imports:
            handler.checks()
        report.timings["checks"] = time.monotonic() - t0
        report.rows = sum(stage.rows for label, stage in stages.items() if "(" not in label)
        if report.error_count:
            raise _Rollback
        when = timezone.now()
        user_id = getattr(user, "pk", None)
        batch_id = getattr(batch, "pk", None)
        trainee_rollups = _TraineeRollups(stages)
        try:
            with transaction.atomic():
                if not dry_run:
                    trainee_rollups.before()
                for label in WRITE_ORDER:
                    stage = stages.get(label)
                    if stage is None:
                        continue
                    t0 = time.monotonic()
                    if dry_run:
                        created, updated = stage.classify()
                    else:
                        touched = _surgeries_touched(stage) if stage.model is Surgery else None
                        created, updated = stage.upsert(when=when, user_id=user_id, batch_id=batch_id)
                        if touched and (created or updated):
                            # Bulk upserts send no signals: recompute the monthly
                            # rollup of the hospitals and months the rows were in
                            # or are in now, set-based, in this transaction.
                            with stage.derived_write(rollups.ROLLUP_TABLE):
                                rollups.rebuild(*touched)
                    report.timings[f"write {label}"] = time.monotonic() - t0
                    report.counts[label] = {
                        "created": created,
                        "updated": updated,
                        "unchanged": stage.rows - created - updated,
                    }
                if not dry_run:
                    trainee_rollups.after()
                    if any(
                        report.counts.get(label, {}).get(key)
                        for label in ("programs.csv", "teams.csv", "rotations.csv")
                        for key in ("created", "updated")
                    ):
                        # Rotations may have moved in or out of any province.
                        expert_rollup.rebuild()
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
        for stage in stages.values():
            stage.drop()
        if dry_run:
            raise _Rollback
        report.timings["commit"] = time.monotonic()  # made a duration once committed
