from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aidtracker.lib.catalogues import CatalogueError, compile_catalogues


class Command(BaseCommand):
    help = (
        "Compile the translation catalogues of LOCALE_PATHS (.po to .mo) in pure Python, "
        "without GNU gettext. Only stale catalogues are written unless --force is given."
    )
    # Its own check (aidtracker.W001) warns about exactly what it fixes.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Recompile every catalogue.")

    def handle(self, *args, force=False, **options):
        try:
            result = compile_catalogues(settings.LOCALE_PATHS, force=force)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        for path in result.written:
            self.stdout.write(f"compiled {path}")
        if options["verbosity"] > 1:
            for path in result.current:
                self.stdout.write(f"up to date {path}")
        if not result.written and not result.current:
            self.stdout.write("no catalogues found in LOCALE_PATHS")
