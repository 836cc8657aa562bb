"""A dashboard's figures and series as a file to take away.

Every dashboard (region, donor, program, hospital) offers, beside its page,
`figures.xlsx` and `figures.csv` (/regions/<code>/figures.xlsx, ...), with
the page's own query string: the same filters, so the same figures. The
file holds what the page shows, built by the page's own code (its cards and
its charts' tables), never computed a second time:

- .xlsx: a sheet "Figures" (the dashboard, its filters, then one row per
  card and per part of a card: figure, part, value, note), then one sheet
  per series (each chart's table) and per table of figures (the donors of a
  region, the recipients of a donor...). Headers in the reader's language;
  numbers as numbers.
- CSV: one table in long form, UTF-8 with a byte-order mark
  (aidtracker.lib.downloads): table, row, column, value; the first table is
  the filters, the second the figures, then the series.

An API token (Authorization: Bearer) reads these files as it reads the JSON
API, within its user's scope (accounts/middleware.py).
"""

import re

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from aidtracker.lib.columns import cell
from aidtracker.lib.downloads import FORMATS, csv_response, xlsx_response
from aidtracker.lib.templatetags.bilingual import name_for_language
from dashboards.links import card

#: The page and the download of each kind of dashboard.
PAGES = {
    "region": "dashboards:region",
    "donor": "dashboards:donor",
    "program": "dashboards:program",
    "hospital": "dashboards:hospital",
}
FILES = {kind: f"{name}_figures" for kind, name in PAGES.items()}


def dashboard_url(kind, code, fmt=None):
    """The page of dashboard `kind` for `code`, or its download in `fmt`."""
    if fmt:
        return reverse(FILES[kind], args=[code, fmt])
    return reverse(PAGES[kind], args=[code])


def links(kind, code, request):
    """The page's download links: [{"label", "url", "format"}], with the
    page's query string (its filters)."""
    query = request.GET.copy()
    for name in ("format", "teams"):
        query.pop(name, None)
    suffix = "?" + query.urlencode() if query else ""
    labels = {"xlsx": _("Excel (.xlsx)"), "csv": _("CSV")}
    return [{"format": fmt, "label": labels[fmt], "url": dashboard_url(kind, code, fmt) + suffix}
            for fmt in FORMATS[::-1]]


# --------------------------------------------------------------------------
# Tables: {"title", "headers", "rows"}, the cells numbers, text or None.


def table(title, headers, rows):
    # Labels may be lazy translations: text now, in the reader's language.
    return {"title": str(title), "headers": [str(h) for h in headers], "rows": [list(r) for r in rows]}


def card_number(c):
    """A card's value as a number (a share shown as "43.0 %" is 43.0; None
    without a base), dashboards.links.card."""
    return c["number"]


def figures_table(cards):
    """One row per card (figure, "", value, note) and per part of a card
    (figure, part, value, ""). Cards compared with an earlier period
    (dashboards.links.with_earlier) add, before the note, that period's
    value, the change (percentage points for a share) and the change in
    percent (counts only; none without earlier data), as the page shows
    them."""
    compared = next((c["earlier"] for c in cards if c.get("earlier")), None)
    rows = []
    for c in cards:
        note = " · ".join(str(n) for n in (c["note"], c["wide"]) if n)
        rows.append([c["label"], "", card_number(c), *_earlier(c.get("earlier"), compared), note])
        for p in c["parts"]:
            rows.append([c["label"], p["label"], p["value"], *_earlier(p.get("earlier"), compared), ""])
    headers = [_("Figure"), _("Part"), _("Value")]
    if compared:
        headers += [_("Value in %(period)s") % {"period": compared["label"]},
                    _("Change (count, or points for a share)"), _("Change (%)")]
    return table(_("Figures"), [*headers, _("Note")], rows)


def _earlier(comparison, compared):
    """The earlier period's cells of a figures row: [] when the page compares
    nothing, else [earlier value, change, change in percent]."""
    if not compared:
        return []
    if not comparison:
        return [None, None, None]
    return [comparison["value"], comparison["change"], comparison["percent_value"]]


def chart_tables(charts):
    """Each chart's table (the numbers shown beside it) as a table."""
    return [table(c["title"], c["table"]["headers"], c["table"]["rows"]) for c in charts if c.get("table")]


def safety_table(safety):
    """The region dashboard's safety by who led (dashboards/links.py,
    safety_rows) as one table: a row per lead for the period ("all" in the
    first column), then per year; a rate is None without surgeries."""
    rows = []
    for caption, lead_rows in [(_("Period"), safety["rows"]),
                               *[(year["caption"], year["rows"]) for year in safety["per_year"]]]:
        for r in lead_rows:
            rows.append([caption, r["label"], r["surgeries"], r["complications"], r["complication_rate_percent"],
                         r["deaths"], r["death_rate_percent"]])
    return table(_("Safety by who led"),
                 [_("Year"), _("Led by"), _("Surgeries"), _("Complications"), _("Complication rate (%)"),
                  _("Deaths"), _("Death rate (%)")], rows)


def period_text(period):
    if period is None or not (period.start or period.end):
        return _("all time")
    start = period.start.isoformat() if period.start else "…"
    end = period.end.isoformat() if period.end else "…"
    return f"{start} – {end}"


def filters(period=None, **named):
    """The filters as (label, value) pairs: the period, then each named one
    (a label and the chosen object, None for all)."""
    pairs = [(_("Period"), period_text(period))] if period is not None else []
    for label, value in named.values():
        pairs.append((label, str(getattr(value, "display_name", value)) if value else _("all")))
    return pairs


# --------------------------------------------------------------------------
# The files


def answer(fmt, filename, title, filter_pairs, tables):
    """The download of `tables` (the figures first) in `fmt`, under the
    heading `title` with its filters."""
    if fmt == "xlsx":
        return xlsx_response(workbook(title, filter_pairs, tables), f"{filename}.xlsx")
    return csv_response(long_rows(title, filter_pairs, tables), f"{filename}.csv")


def long_rows(title, filter_pairs, tables):
    """The CSV's rows: the header, the filters, then every cell of every table
    as (table, row, column, value): the row is a table's first cell (a
    figure, a month), the column its header."""
    yield [_("Table"), _("Row"), _("Column"), _("Value")]
    yield [_("Dashboard"), "", "", title]
    for label, value in filter_pairs:
        yield [_("Filters"), label, "", value]
    yield [_("Filters"), _("Written"), "", timezone.localtime().strftime("%Y-%m-%d %H:%M")]
    for t in tables:
        for row in t["rows"]:
            head, cells = row[0], row[1:]
            if t["title"] == _("Figures"):  # figure, part, value[, earlier value, change, change %], note
                yield [t["title"], head, cells[0], _text(cells[1])]
                for header, value in zip(t["headers"][3:-1], cells[2:-1]):
                    # The earlier period's cells: a table of their own per column.
                    yield [f'{t["title"]}: {header}', head, cells[0], _text(value)]
                continue
            for header, value in zip(t["headers"][1:], cells):
                yield [t["title"], _text(head), header, _text(value)]


def _text(value):
    """A CSV cell: numbers as they are, text safe from spreadsheet formulas."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    return cell(value)


BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def workbook(title, filter_pairs, tables):
    """An openpyxl Workbook: the figures' sheet (the heading, the filters,
    the table), then a sheet per other table."""
    book = Workbook()
    bold = Font(bold=True)
    used = set()
    for index, t in enumerate(tables):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = _sheet_title(t["title"], index, used)
        if index == 0:
            sheet.append([title])
            sheet["A1"].font = Font(bold=True, size=13)
            for label, value in filter_pairs:
                sheet.append([label, _safe(value)])
            sheet.append([_("Written"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
            sheet.append([])
        else:
            sheet.append([t["title"]])
            sheet["A1"].font = bold
        sheet.append(t["headers"])
        for c in sheet[sheet.max_row]:
            c.font = bold
        for row in t["rows"]:
            sheet.append([_safe(v) for v in row])
        sheet.column_dimensions["A"].width = 36
        for letter in "BCDEFGHIJ":
            sheet.column_dimensions[letter].width = 16
    return book


def _safe(value):
    """A cell's value for openpyxl: numbers as numbers, text that would be
    read as a formula quoted (aidtracker.lib.columns.cell)."""
    if value is None or isinstance(value, (int, float)):
        return value
    return cell(value)


def _sheet_title(text, index, used):
    """A worksheet's name: at most 31 characters, none of []:*?/\\, unique."""
    name = BAD_SHEET_CHARS.sub(" ", str(text)).strip()[:31] or str(index + 1)
    while name.lower() in used:
        name = f"{name[:27]} ({index + 1})"
    used.add(name.lower())
    return name


# --------------------------------------------------------------------------
# Each dashboard's file, from its page's context


def region_file(context, fmt):
    region = context["region"]
    donor_rows = context["donor_rows"]
    tables = [
        figures_table(context["cards"]),
        *chart_tables(context["charts"]),
        table(_("Donor breakdown"),
              [_("Donor"), _("Code"), _("Programs"), _("Experts"), _("Expert-days"), _("Surgeries with its teams")],
              [[d["display_name"], d["code"], d["programs"], d["experts"], d["expert_days"], d["surgeries"]]
               for d in donor_rows]),
        safety_table(context["safety"]),
    ]
    if context["movements"]:
        tables += movement_tables(context["movements"])
    pairs = filters(context["period"], specialty=(_("Specialty"), context["specialty"]),
                    donor=(_("Donor"), context["donor"]))
    return answer(fmt, f"figures-{region.code}", f"{region.display_name} ({region.code})", pairs, tables)


def donor_file(context, fmt):
    region = context["region"]
    tables = [
        figures_table(context["cards"]),
        *chart_tables(context["charts"]),
        safety_table(context["safety"]),
        table(_("Recipient regions"),
              [_("Recipient region"), _("Code"), _("Programs"), _("Experts"), _("Expert-days"),
               _("Surgeries with its teams")],
              [[r["display_name"], r["code"], r["programs"], r["experts"], r["expert_days"], r["surgeries"]]
               for r in context["recipient_rows"]]),
    ]
    pairs = filters(context["period"], specialty=(_("Specialty"), context["specialty"]),
                    recipient=(_("Recipient region"), context["recipient"]))
    title = _("%(name)s's aid") % {"name": region.display_name} + f" ({region.code})"
    return answer(fmt, f"donor-figures-{region.code}", title, pairs, tables)


def hospital_file(context, fmt):
    hospital = context["hospital"]
    sent = context["sent"]
    tables = [figures_table(sent["cards"] if sent["is_donor"] else [])]
    tables.append(table(
        _("Before and after"),
        [_("Indicator"), _("Measure"), _("Before"), _("Months before"), _("After"), _("Months after"),
         _("Change (%)")],
        [[r["label"], _("mean") if r["measure"] == "mean" else _("sum"), _decimal(r["before"]),
          r["before_months"], _decimal(r["after"]), r["after_months"],
          None if r["change"] is None else round(r["change"], 1)]
         for r in context["comparison"]["rows"]],
    ))
    tables.append(table(
        _("Monthly indicators"),
        [_("Month"), *[label for _code, label in context["indicator_columns"]]],
        [[m.strftime("%Y-%m"), *[_decimal(v) for v in values]] for m, values in context["indicator_rows"]],
    ))
    tables.append(table(
        _("Departments it supports as a donor"),
        [_("Program"), _("Recipient hospital"), _("Specialty"), _("Covered (%)"), _("Gap days")],
        [[d["program"].code, d["hospital"].display_name, str(d["coverage"].specialty),
          *_coverage(d["coverage"], d["remote_support"])]
         for d in sent["departments"]],
    ))
    return answer(fmt, f"hospital-figures-{hospital.code}", f"{hospital.display_name} ({hospital.code})",
                  [], tables)


def program_file(context, fmt):
    """The program page's counts, its departments' coverage (or, for a
    remote-support program, its consultations per month) and its teams."""
    program = context["program"]
    remote = context["remote"]  # the context of all the program's teams (program_context)
    # The page's tables, whatever the period: named apart from the cards of
    # the same things in the period ("Teams": batches active in it).
    whatever = _("the program's whole record, whatever the period")
    counts = [
        (_("All twinned departments"), len(context["twinnings"]), whatever),
        (_("All teams"), len(context["teams"]), whatever),
        (_("All rotations"), context["rotation_count"], whatever),
        (_("On site today"), context["on_site_count"], ""),
    ]
    if remote:
        counts.append((_("All consultations"), remote["total"], whatever))
    # What came of it (the page's cards, for its period and specialty), then the page's counts.
    tables = [figures_table([*context["cards"], *(card(label, value, note=note) for label, value, note in counts)]),
              safety_table(context["safety"])]
    if remote:
        tables.append(table(
            _("Remote support: consultations"),
            [_("Month"), *[d.name for d in remote["departments"]], _("Total")],
            [[row["month"].strftime("%Y-%m"), *[c["n"] for c in row["cells"]], row["total"]]
             for row in remote["months"]],
        ))
    else:
        tables.append(table(
            _("Coverage of the twinned departments"),
            [_("Department"), _("From"), _("To"), _("Covered (%)"), _("Gap days")],
            [[str(d.specialty), d.window.start.isoformat() if d.window else None,
              d.window.end.isoformat() if d.window else None, *_coverage(d, False)]
             for d in context["departments"]],
        ))
    if context["movements"]:
        tables += movement_tables(context["movements"])
    tables.append(table(
        _("Teams"),
        [_("Team"), _("Batch"), _("From"), _("To"), _("People")],
        [[t.code, t.batch, t.start_date.isoformat(), t.end_date.isoformat() if t.end_date else None, t.people]
         for t in context["teams"]],
    ))
    name = name_for_language(program.name, program.name_zh)
    pairs = filters(context["period"], specialty=(_("Specialty"), context["specialty"]))
    return answer(fmt, f"program-figures-{program.code}", f"{name} ({program.code})", pairs, tables)


def movement_tables(section) -> list[dict]:
    """The region dashboard's section "Patient movements and outcomes"
    (dashboards/movements.py) as tables, numbers as numbers."""
    labels = [label for _code, label in section["outcome_labels"]]
    headers = [_("Year"), _("Referrals"), *labels, _("Median distance (km)"), _("With a distance"),
               _("Median duration (hours)"), _("With a duration")]

    def referral_table(title, rows):
        return table(title, headers, [
            [r["year"], r["count"], *[c["n"] for c in r["outcome_cells"]],
             _decimal(r["distance_km"]["median"]), r["distance_km"]["n"],
             _decimal(r["duration_hours"]["median"]), r["duration_hours"]["n"]]
            for r in rows
        ])

    neonatal = section["neonatal"]
    rate_headers = [_("Neonatal deaths"), _("Live births"), _("Per 1,000 live births"),
                    _("Hospital-months counted"), _("Months with deaths but no births")]

    def rate_cells(r):
        return [_decimal(r["deaths"]), _decimal(r["births"]), _decimal(r["rate"]), r["months"], r["deaths_alone"]]

    windows = [
        [label, f"{w['from']:%Y-%m} – {w['to']:%Y-%m}", *rate_cells(w)]
        for label, w in ((_("before"), neonatal["before"]), (_("after"), neonatal["after"])) if w
    ]
    treatable = section["conditions_treatable"]
    return [
        referral_table(_("Transfers in per year"), section["transfers_in"]),
        referral_table(_("Referrals out of the region per year"), section["referrals_out"]),
        table(_("Conditions treatable"), [_("Hospital"), _("Code"), _("Latest month"), _("Conditions treatable")],
              [[name_for_language(h["name"], h["name_zh"]), h["code"], f"{h['month']:%Y-%m}", _decimal(h["value"])] for h in treatable["hospitals"]]
              + ([[_("Total"), "", "", _decimal(treatable["total"])]] if treatable["hospitals"] else [])),
        table(_("Neonatal mortality per year"), [_("Year"), *rate_headers],
              [[r["year"], *rate_cells(r)] for r in neonatal["years"]]),
        table(_("Neonatal mortality before and after"), [_("Window"), _("Months"), *rate_headers], windows),
    ]


def _coverage(dept, remote):
    """(covered in percent, gap days) of a department; none for a remote-support
    program (judged by consultations) or a window not yet begun."""
    if remote or not dept.window:
        return [None, None]
    return [round(100 * dept.coverage_share), dept.gap_days]


def _decimal(value):
    return None if value is None else float(value)
