from django.core.management.base import BaseCommand, CommandError

from aidtracker.lib.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a backup of the whole database to OUT: pg_dump's custom format on "
        "PostgreSQL, a consistent copy (sqlite3 backup API) on SQLite. "
        "Restore it with `manage.py restore OUT`."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="file to write, e.g. backups/aidtracker-2026-11-23.dump")
        parser.add_argument("--database", default="default")

    def handle(self, *args, out, database, **options):
        try:
            done = backup(out, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {done['vendor']} database to {done['file']} "
                f"({done['bytes']:,} bytes, {done['seconds']} s)."
            )
        )
