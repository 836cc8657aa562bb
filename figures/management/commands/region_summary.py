"""Print the summary of a recipient region as JSON (interchange spec v1, section 5)."""

from figures.forms import SummaryCommand
from figures.summary import region_summary


class Command(SummaryCommand):
    help = (
        "Print the summary of a province-level region for a period as JSON, as defined "
        "by the interchange spec v1, section 5 (the same JSON as "
        "GET /api/v1/regions/CODE/summary). Both bounds are optional and inclusive."
    )
    summary = region_summary
    other = "donor"
