from django.core.management.base import BaseCommand, CommandError

from aidtracker.lib.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the whole database with the backup IN written by `manage.py backup` "
        "(pg_restore --clean in one transaction on PostgreSQL: all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="IN", help="backup file written by `manage.py backup`")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args, source, database, interactive, **options):
        if interactive:
            answer = input(
                f"This replaces every row of the database with the contents of {source}. "
                "Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            done = restore(source, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the {done['vendor']} database from {done['file']} ({done['seconds']} s)."
            )
        )
