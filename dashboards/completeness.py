"""Data completeness of a region's or a program's recipient hospitals
(/regions/<code>/completeness/, /programs/<code>/completeness/, each with a
`completeness.csv` beside it): a grid of hospitals × months, each cell the
month's reporting rate of monthly indicators (expected, actual, rate, in
DHIS2's terms) with the surgeries and trainings logged, and the open quality
warnings. The definitions: figures/completeness.py.

Access: the record readers (admins, coordinators, officials; viewers get
403, as for the lists the cells link to); a region the user may not read, or
a program outside their scope, is 404 (accounts.scope), and so is a program
read through its donor province alone (a donor reads its programs, not the
recipient hospital's indicators and other surgeries). The months shown: the
last 12 full months by default, the last 24, or one calendar year; the CSV
gives the same months, or all of them (`period=all`). A fixed number of
queries whatever the number of hospitals, months or records.
"""

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import can_edit_hospital, can_view_region, get_region_or_404, records_required
from aidtracker.lib.downloads import csv_response
from aidtracker.lib.periods import add_months, month_end
from dashboards.links import list_url
from deployments.models import Program
from figures.completeness import (
    BANDS,
    completeness,
    month_totals,
    quality_warnings,
    recipient_hospitals,
    span,
)

#: The periods the page offers besides calendar years: {value: months back from the last full month}.
RECENT = {"12": 12, "24": 24}
ALL = "all"  # every month of the span: the CSV only


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Months shown"), required=False)

    def __init__(self, data, years, csv=False):
        super().__init__(data)
        choices = [("12", _("Last 12 months")), ("24", _("Last 24 months"))]
        choices += [(str(y), str(y)) for y in years]
        if csv:
            choices.append((ALL, _("All months")))
        self.fields["period"].choices = choices


def months_of(period, bounds):
    """The first days of the months of `period` (a PeriodForm value) within `bounds`."""
    first, last = bounds
    if period == ALL:
        start, end = first, last
    elif period in RECENT:
        start, end = max(first, add_months(last, -(RECENT[period] - 1))), last
    else:
        year = int(period)
        start, end = max(first, first.replace(year=year, month=1)), min(last, last.replace(year=year, month=12))
    months, month = [], start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


@records_required
def region_completeness(request, code, export=False):
    region = get_region_or_404(request.user, code)
    programs = Program.objects.visible_to(request.user).for_recipient_region(region)
    return _completeness(request, programs, export, {
        "subject": region.display_name,
        "subject_code": region.code,
        "back_url": reverse("dashboards:region", args=[region.code]),
        "csv_url": reverse("dashboards:region_completeness_csv", args=[region.code]),
    })


@records_required
def program_completeness(request, code, export=False):
    program = get_object_or_404(
        Program.objects.visible_to(request.user).select_related("recipient_hospital__region__parent__parent"),
        code=code,
    )
    if not can_view_region(request.user, program.recipient_hospital.region):
        # A donor province's reader reads its programs, not the recipient
        # hospital's own records (its indicators, its other surgeries).
        raise Http404()
    programs = Program.objects.filter(pk=program.pk)
    return _completeness(request, programs, export, {
        "subject": program.display_name,
        "subject_code": program.code,
        "back_url": program.get_absolute_url(),
        "csv_url": reverse("dashboards:program_completeness_csv", args=[program.code]),
    })


def _completeness(request, programs, export, context):
    today = timezone.localdate()
    hospitals = list(recipient_hospitals(programs))
    bounds = span(hospitals, today)
    years = range(bounds[1].year, bounds[0].year - 1, -1) if bounds else []
    form = PeriodForm(request.GET or None, years, csv=export)
    period = "12"
    if form.is_bound and form.is_valid() and form.cleaned_data["period"]:
        period = form.cleaned_data["period"]
    months = months_of(period, bounds) if bounds else []
    rows = completeness(hospitals, months, today)
    if export:
        return completeness_csv(rows, months, f"completeness-{context['subject_code']}.csv")
    for row in rows:
        editable = can_edit_hospital(request.user, row.hospital)
        for cell in row.cells:
            if cell is None:
                continue
            month = f"{cell.month:%Y-%m}"
            # The month's indicators: the form for those who enter them, else
            # the month's row in the hospital page's monthly table (its
            # latest 36 months), or that table when the month has none.
            if editable:
                cell.indicators_url = reverse("outcomes:indicator_month", args=[row.hospital.code]) + f"?month={month}"
            else:
                anchor = f"indicators-{month}" if cell.actual else "monthly-title"
                cell.indicators_url = f"{row.hospital.get_absolute_url()}#{anchor}"
            dates = {"hospital": row.hospital.code, "date_after": cell.month, "date_before": month_end(cell.month)}
            cell.surgeries_url = list_url("outcomes:surgery_list", dates)
            cell.trainings_url = list_url("outcomes:training_list", {
                "hospital": row.hospital.code, "started_after": cell.month, "started_before": month_end(cell.month),
            })
    warnings = quality_warnings(programs, months)
    labels = {
        "surgery_team_dates": _("Surgeries dated when their team was not in the field"),
        "surgery_team_hospital": _("Surgeries whose team works at another recipient hospital"),
        "rotation_team_dates": _("Rotations outside their team's dates"),
    }
    for found in warnings:
        found.label = labels[found.key]
        for record in found.rows:
            record.messages = record.quality_warnings()
    query = request.GET.copy()
    query["period"] = period
    return render(request, "dashboards/completeness.html", {
        **context,
        "form": form,
        "period": period,
        "months": months,
        "rows": rows,
        "totals": month_totals(rows, months),
        "bounds": bounds,
        "bands": [name for _lowest, name in BANDS],
        "warnings": warnings,
        "csv_query": query.urlencode(),
    })


#: The CSV's columns, in the contract's style (snake_case English).
CSV_COLUMNS = [
    "hospital_code", "hospital_name", "hospital_name_zh", "month", "expected_reports", "actual_reports",
    "reporting_rate_percent", "surgeries", "trainings",
]


def completeness_csv(rows, months, filename):
    """A row per hospital and month of its span (aidtracker/lib/downloads.py:
    UTF-8 with a byte-order mark, so that Excel reads the Chinese names)."""
    def lines():
        yield CSV_COLUMNS
        for row in rows:
            for cell in row.cells:
                if cell is None:
                    continue
                yield [
                    row.hospital.code, row.hospital.name, row.hospital.name_zh, f"{cell.month:%Y-%m}",
                    cell.expected, cell.actual, cell.rate, cell.surgeries, cell.trainings,
                ]

    return csv_response(lines(), filename)
