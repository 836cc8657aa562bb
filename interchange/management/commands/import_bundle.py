"""Import a bundle of the interchange format (folder, .zip, .xlsx or one CSV)."""

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from interchange import service


class Command(BaseCommand):
    help = (
        "Import a bundle of the interchange format (a folder, a .zip, an .xlsx workbook or "
        "one CSV named as in the spec). All or nothing: every error is reported and nothing "
        "is written unless there is none. Exit status 0 = imported (or dry run clean), "
        "1 = the data has errors, 2 = the input is unusable. On SQLite it waits while "
        "another import runs (PostgreSQL serialises imports the same way)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="folder, .zip, .xlsx or .csv")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--user", help="username the history rows are attributed to")
        parser.add_argument("--batch", type=int, help=(
            "id of an existing import batch to run and update (used by the web page's "
            "background runner)"
        ))
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, path, dry_run, user, batch, no_progress, json: bool, **options):
        if batch is not None and settings.IMPORT_NICENESS:
            # An import started from the web page runs beside people reading
            # pages: it yields the processor to the application servers.
            os.nice(settings.IMPORT_NICENESS)
        user_obj = None
        if user:
            try:
                user_obj = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {user!r}.", returncode=2) from None
        bar = None
        progress = None
        # A bar for a person at a terminal: not in a log (cron, a pipe), not
        # beside a JSON report, not for the Import page's background process.
        stderr = self.stderr._out
        at_terminal = getattr(stderr, "isatty", lambda: False)()
        if not no_progress and batch is None and not json and at_terminal:
            from tqdm import tqdm

            bar = tqdm(total=0, unit=" rows", unit_scale=True, file=stderr, leave=False)

            def progress(done, total, name):
                if bar.total != total:
                    bar.total = total
                bar.set_description(name, refresh=False)
                bar.update(done - bar.n)  # tqdm redraws at most every 0.1 s

        def waiting():
            self.stderr.write("Waiting for another import to finish...")

        try:
            report, batch_obj = service.run(
                Path(path), dry_run=dry_run, user=user_obj, batch_id=batch, progress=progress,
                on_wait=waiting, own_process=True,
            )
        except service.NotRun as exc:
            raise CommandError(str(exc), returncode=2) from None
        except DatabaseError as exc:
            if "locked" in str(exc):  # SQLite's busy timeout ran out
                raise CommandError(
                    "The database is busy with another write (another import?) and stayed so "
                    "for the busy timeout; nothing was written. Try again.",
                    returncode=2,
                ) from None
            raise CommandError(
                f"The database cannot take the import ({str(exc).strip().splitlines()[0]}); "
                "has `manage.py migrate` been run?",
                returncode=2,
            ) from None
        finally:
            if bar is not None:
                bar.close()
        if json:
            self.stdout.write(service.report_json(report))
        else:
            self.stdout.write(service.report_text(report))
        if options["verbosity"] >= 2 and report.timings:
            self.stdout.write(
                "timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items())
            )
        if report.exit_code:
            raise SystemExit(report.exit_code)
