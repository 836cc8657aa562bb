"""Export the whole database as an interchange-format bundle."""

from django.core.management.base import BaseCommand, CommandError

from interchange.exporter import ExportError, export_bundle


class Command(BaseCommand):
    help = (
        "Write every record as a bundle of the interchange format: OUT is a folder, "
        "a .zip or an .xlsx workbook. Deterministic: the same data gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="folder, .zip or .xlsx to write")

    def handle(self, *args, out, **options):
        try:
            path = export_bundle(out)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Exported to {path}.")
