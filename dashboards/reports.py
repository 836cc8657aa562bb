"""The views of the printable briefs (dashboards/briefs.py): a region's, a
donor's and a program's, each as HTML or, with `as_pdf`, as a PDF. Each
reads its dashboard's context, so its access rules are the dashboard's
(without the patient movements and outcomes, which the brief does not show)."""

from dashboards import briefs
from dashboards.donors import donor_context
from dashboards.views import program_context, region_context


def region_brief(request, code, as_pdf=False):
    return briefs.brief_response(
        request, "region", code, lambda r, c: region_context(r, c, with_movements=False), briefs.region_brief, as_pdf
    )


def donor_brief(request, code, as_pdf=False):
    return briefs.brief_response(
        request, "donor", code, lambda r, c: donor_context(r, c, compare=True), briefs.donor_brief, as_pdf
    )


def program_brief(request, code, as_pdf=False):
    return briefs.brief_response(
        request, "program", code, lambda r, c: program_context(r, c, with_movements=False), briefs.program_brief, as_pdf
    )
