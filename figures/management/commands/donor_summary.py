"""Print the summary of a donor region as JSON (interchange spec v1, section 6)."""

from figures.forms import SummaryCommand
from figures.summary import donor_summary


class Command(SummaryCommand):
    help = (
        "Print the summary of a donor province-level region for a period as JSON, as defined "
        "by the interchange spec v1, section 6 (the same JSON as "
        "GET /api/v1/donors/CODE/summary). Both bounds are optional and inclusive."
    )
    summary = donor_summary
    other = "recipient"
    example_code = "310000"
