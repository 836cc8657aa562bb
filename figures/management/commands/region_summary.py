"""Print the summary of a recipient region as JSON (interchange spec v1, section 5)."""

import json

from django.core.management.base import BaseCommand, CommandError

from figures.forms import SummaryArgumentError, summary_arguments
from figures.summary import region_summary


class Command(BaseCommand):
    help = (
        "Print the summary of a province-level region for a period as JSON, as defined "
        "by the interchange spec v1, section 5 (the same JSON as "
        "GET /api/v1/regions/CODE/summary). Both bounds are optional and inclusive."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="six-digit code of a province-level region, e.g. 540000")
        parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (inclusive)")
        parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (inclusive)")
        parser.add_argument("--specialty", help="only this specialty (a dashboard filter, not in the spec)")
        parser.add_argument("--donor", help="only this donor region's programs (a dashboard filter)")

    def handle(self, *args, code, start, end, specialty, donor, **options):
        try:
            region, period, specialty, donor, _recipient = summary_arguments(code, start, end, specialty, donor)
        except SummaryArgumentError as error:
            # Exit status 2, like a usage error; the message says what was wrong.
            raise CommandError(str(error), returncode=2) from None
        result = region_summary(region, period, specialty=specialty, donor=donor)
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
