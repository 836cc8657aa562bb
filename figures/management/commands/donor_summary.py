"""Print the summary of a donor region as JSON (interchange spec v1, section 6)."""

import json

from django.core.management.base import BaseCommand, CommandError

from figures.forms import SummaryArgumentError, summary_arguments
from figures.summary import donor_summary


class Command(BaseCommand):
    help = (
        "Print the summary of a donor province-level region for a period as JSON, as defined "
        "by the interchange spec v1, section 6 (the same JSON as "
        "GET /api/v1/donors/CODE/summary). Both bounds are optional and inclusive."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="six-digit code of a province-level region, e.g. 310000")
        parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (inclusive)")
        parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (inclusive)")
        parser.add_argument("--specialty", help="only this specialty (a dashboard filter, not in the spec)")
        parser.add_argument("--recipient", help="only the programs with their recipient in this region")

    def handle(self, *args, code, start, end, specialty, recipient, **options):
        try:
            donor, period, specialty, _donor, recipient = summary_arguments(
                code, start, end, specialty, recipient=recipient
            )
        except SummaryArgumentError as error:
            # Exit status 2, like a usage error; the message says what was wrong.
            raise CommandError(str(error), returncode=2) from None
        result = donor_summary(donor, period, specialty=specialty, recipient=recipient)
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
