"""Chart specifications handed to static/js/charts.js through json_script.

Each spec is plain data: labels, datasets (label, values, colour role,
stack, optional line on a percent axis) and a few options. The same
numbers are rendered as a table beside the chart by the template, from
`table` (caption, column headers, rows)."""

from django.utils.translation import gettext as _

from aidtracker.lib.periods import MONTH, QUARTER, YEAR
from figures.series import share_percent

# Colour roles; static/js/charts.js maps them to a palette that keeps
# contrast on white and is distinguishable with common colour blindness.
VISITING, JOINT, LOCAL, SHARE, EXPERTS, ONSITE, MENTOR, FURTHER, FIRST, OTHER = (
    "visiting", "joint", "local", "share", "experts", "onsite", "mentor", "further", "first", "other",
)


def chart(chart_id, kind, title, labels, datasets, *, stacked=False, percent_axis=None,
          horizontal=False, table=None, value_max=None, small=False, print_by_year=None, points=None,
          table_printed=True):
    """A chart's spec. With `print_by_year` (yearly_table's `how`), the
    monthly `table` prints by year (`print_table`). `points`: the series'
    entries (with Group.as_dict's keys), one per label: the partial ones
    are drawn hatched (spec "partial") and named under the chart
    (`partial_notes`), and the table's first cell says so. Without
    `table_printed` the table is for the screen (and the downloads) alone."""
    partial = [bool(p.get("partial")) for p in points] if points else None
    notes = partial_notes(points) if points else []
    if table and points:
        table = {**table, "rows": [
            [partial_label(p), *row[1:]] if p.get("partial") else row for p, row in zip(points, table["rows"])
        ]}
    partial_years = {p["label"][:4] for p in points if p.get("partial")} if points else set()
    print_table = yearly_table(table, print_by_year, partial_years=partial_years) if table and print_by_year else None
    return {
        "id": chart_id,
        "title": title,
        "spec": {
            "type": kind,
            "labels": labels,
            "datasets": datasets,
            "stacked": stacked,
            "percentAxis": percent_axis,
            "horizontal": horizontal,
            "valueMax": value_max,
            "partial": partial,
        },
        "partial_notes": notes,
        "small": small,
        "table": table,
        "print_table": print_table,
        "table_printed": table_printed,
    }


def partial_note(point) -> str:
    """What a partial point of a chart holds: "2026-12: partial, up to
    2026-12-04" (cut by today or the period's end), "…: partial, from
    2021-12-05" (cut by the period's start) or both."""
    first_day = point.get("cut_start")
    if first_day and point["through"] >= point["to"]:
        return _("%(label)s: partial, from %(start)s") % {"label": point["label"], "start": point["from"]}
    if first_day:
        return _("%(label)s: partial, %(start)s to %(end)s") % {
            "label": point["label"], "start": point["from"], "end": point["through"]}
    return _("%(label)s: partial, up to %(end)s") % {"label": point["label"], "end": point["through"]}


def partial_notes(points) -> list[str]:
    """The notes under a chart: one per partial point, those not begun yet
    (a period that ends after today) in one."""
    notes = [partial_note(p) for p in points if p.get("partial") and p["through"] >= p["from"]]
    future = [p for p in points if p.get("partial") and p["through"] < p["from"]]
    if future:
        notes.append(_("%(first)s to %(last)s: not begun on %(date)s, no data yet") % {
            "first": future[0]["label"], "last": future[-1]["label"], "date": future[0]["through"]})
    return notes


def partial_label(point) -> str:
    """A table's first cell for a partial point: its label, marked."""
    return _("%(label)s (partial)") % {"label": point["label"]}


def per(grouping, month, quarter, year):
    """The one of three strings that names the grouping."""
    return {MONTH: month, QUARTER: quarter, YEAR: year}[grouping]


def group_header(grouping):
    """The first column's header of a grouped table."""
    return per(grouping, _("Month"), _("Quarter"), _("Year"))


# How a monthly table's column makes a year (yearly_table).
SUM, MOST, MAX, MEAN = "sum", "most", "max", "mean"


def yearly_table(table, how, first_header=None, partial_years=()):
    """The monthly `table` ({"headers", "rows"}, rows starting "YYYY-MM") by
    year, for print: ten years of months are pages of their own. `how` says
    for each column after the month how its year is made: SUM (counts of
    events: surgeries, trainings begun), MOST (people present in a month:
    the most in one month of the year; people are not added up across
    months), MAX (the same of rows that are already "most in a month": a
    quarter's), MEAN (a level: the mean of the months reported, one decimal),
    ("share", part, total) (a share in percent of two summed columns,
    their indexes), or None (left out: distinct people of a month, who do
    not add up). A year of `partial_years` ("2026") is marked partial.
    The rows may be months, quarters or years ("YYYY..." first). Returns
    {"headers", "rows"}."""
    keep = [i for i, h in enumerate(how) if h is not None]
    headers = [first_header or _("Year")]
    for i in keep:
        header = table["headers"][i + 1]
        headers.append(_("%(column)s (most in a month)") % {"column": header} if how[i] == MOST else header)
    years = {}
    for row in table["rows"]:
        years.setdefault(str(row[0])[:4], []).append(row[1:])
    rows = []
    for year, months in years.items():
        cells = []
        for i in keep:
            column = [m[i] or 0 for m in months]
            if how[i] == MEAN:
                given = [m[i] for m in months if m[i] is not None]
                cells.append(round(float(sum(given)) / len(given), 1) if given else None)
            elif how[i] == SUM:
                cells.append(sum(column))
            elif how[i] in (MOST, MAX):
                cells.append(max(column))
            else:
                _share, part, total = how[i]
                cells.append(share_percent(sum(m[part] for m in months), sum(m[total] for m in months)))
        rows.append([partial_label({"label": year}) if year in partial_years else year, *cells])
    return {"headers": headers, "rows": rows}


def dataset(label, data, role, **extra):
    return {"label": label, "data": data, "role": role, **extra}


def lead_labels():
    return {"visiting": _("visiting expert"), "joint": _("jointly"), "local": _("local surgeon alone")}


def surgeries_chart(series, grouping=MONTH, title=None):
    leads = lead_labels()
    return chart(
        "chart-surgeries",
        "bar",
        title or per(grouping, _("Surgeries per month, by who led them"), _("Surgeries per quarter, by who led them"),
                     _("Surgeries per year, by who led them")),
        [row["label"] for row in series],
        [
            dataset(leads["visiting"], [r["visiting"] for r in series], VISITING),
            dataset(leads["joint"], [r["joint"] for r in series], JOINT),
            dataset(leads["local"], [r["local"] for r in series], LOCAL),
            dataset(_("share led by local surgeons alone (%)"),
                    [r["local_share_percent"] for r in series], SHARE, line=True),
        ],
        stacked=True,
        percent_axis=_("local share (%)"),
        table={
            "headers": [group_header(grouping), leads["visiting"], leads["joint"],
                        leads["local"], _("Total"), _("Local alone (%)")],
            "rows": [
                # The share as a number (None: no surgery), for the downloads too.
                [r["label"], r["visiting"], r["joint"], r["local"], r["total"], r["local_share_percent"]]
                for r in series
            ],
        },
        print_by_year=(SUM, SUM, SUM, SUM, ("share", 2, 3)),
        points=series,
    )


def skills_chart(series, grouping=MONTH, title=None):
    """The skills-transfer lines: the share of surgeries led by local
    surgeons alone per group and over the 12 months ending with it, for all
    surgeries and for grade 3-4 alone (figures/series.py, surgery_series)."""
    return chart(
        "chart-skills",
        "line",
        title or _("Skills transfer: share of surgeries led by local surgeons alone"),
        [row["label"] for row in series],
        [
            dataset(per(grouping, _("per month (%)"), _("per quarter (%)"), _("per year (%)")),
                    [r["local_share_percent"] for r in series], SHARE, line=True),
            dataset(_("12-month rolling (%)"), [r["rolling_local_share_percent"] for r in series], LOCAL, line=True),
            dataset(per(grouping, _("grade 3–4, per month (%)"), _("grade 3–4, per quarter (%)"),
                        _("grade 3–4, per year (%)")),
                    [r["grade_3_4_local_share_percent"] for r in series], VISITING, line=True),
            dataset(_("grade 3–4, 12-month rolling (%)"),
                    [r["rolling_grade_3_4_local_share_percent"] for r in series], FURTHER, line=True),
        ],
        value_max=100,
        table={
            "headers": [group_header(grouping), _("Surgeries"), _("Local alone"), _("Local alone (%)"),
                        _("12-month rolling (%)"),
                        _("Grade 3–4"), _("Grade 3–4, local alone"), _("Grade 3–4, local alone (%)"),
                        _("Grade 3–4, 12-month rolling (%)")],
            "rows": [
                [r["label"], r["total"], r["local"], r["local_share_percent"], r["rolling_local_share_percent"],
                 r["grade_3_4"], r["local_grade_3_4"], r["grade_3_4_local_share_percent"],
                 r["rolling_grade_3_4_local_share_percent"]]
                for r in series
            ],
        },
        # No printed table: the surgeries chart's yearly table holds each
        # year's local share, and the print keeps to its pages.
        table_printed=False,
        points=series,
    )


def experts_chart(series, grouping=MONTH):
    return chart(
        "chart-experts",
        "bar",
        per(grouping, _("Experts on site per month"), _("Experts on site per quarter (most in a month)"),
            _("Experts on site per year (most in a month)")),
        [r["label"] for r in series],
        [dataset(_("experts on site"), [r["experts"] for r in series], EXPERTS)],
        table={
            "headers": [group_header(grouping), per(grouping, _("Experts on site"), _("Experts on site (most in a month)"),
                                                    _("Experts on site (most in a month)"))],
            "rows": [[r["label"], r["experts"]] for r in series],
        },
        print_by_year=(MOST if grouping == MONTH else MAX,),
        points=series,
    )


def trainees_chart(series, grouping=MONTH):
    kinds = [("onsite_course", _("on-site course"), ONSITE), ("mentorship", _("mentorship"), MENTOR),
             ("further_study", _("further study"), FURTHER)]
    return chart(
        "chart-trainees",
        "bar",
        per(grouping, _("Trainees starting a training per month, by kind"),
            _("Trainees starting a training per quarter, by kind"),
            _("Trainees starting a training per year, by kind")),
        [r["label"] for r in series],
        [dataset(label, [r[key] for r in series], role) for key, label, role in kinds],
        stacked=True,
        table={
            "headers": [group_header(grouping), *[label for _k, label, _r in kinds],
                        per(grouping, _("Distinct trainees"), _("Trainees (sum of months)"),
                            _("Trainees (sum of months)"))],
            "rows": [[r["label"], *[r[key] for key, _l, _r in kinds], r["total"]] for r in series],
        },
        print_by_year=(SUM, SUM, SUM, None if grouping == MONTH else SUM),
        points=series,
    )


def techniques_chart(series):
    return chart(
        "chart-techniques",
        "bar",
        _("Techniques introduced per year"),
        [str(r["year"]) for r in series],
        [
            dataset(_("first in the region"), [r["first_in_region"] for r in series], FIRST),
            dataset(_("other new techniques"), [r["other"] for r in series], OTHER),
        ],
        stacked=True,
        table={
            "headers": [_("Year"), _("First in the region"), _("Other"), _("Total")],
            "rows": [[r["year"], r["first_in_region"], r["other"], r["total"]] for r in series],
        },
        points=series,
    )


def donors_chart(by_donor):
    """Each measure (programs, experts, expert-days, surgeries) split among
    the donors, as shares of the donors' combined figure: the measures
    differ by orders of magnitude, their shares compare on one axis."""
    measures = [("programs", _("Programs")), ("experts", _("Experts")),
                ("expert_days", _("Expert-days")), ("surgeries", _("Surgeries with its teams"))]
    totals = {key: sum(d[key] for d in by_donor) for key, _label in measures}

    def share(d, key):
        return round(100 * d[key] / totals[key], 1) if totals[key] else 0

    palette = [EXPERTS, ONSITE, LOCAL, FURTHER, FIRST, JOINT, OTHER]
    return chart(
        "chart-donors",
        "bar",
        _("Donors' shares (%)"),
        [label for _key, label in measures],
        [dataset(d.get("display_name") or d["name"], [share(d, key) for key, _l in measures],
                 palette[i % len(palette)])
         for i, d in enumerate(by_donor)],
        stacked=True,
        horizontal=True,
        value_max=100,
        table=None,  # the template renders the by_donor table with links
    )


def overview_charts(rows):
    names = [r.get("display_name") or r["name"] for r in rows]
    surgeries = chart(
        "chart-regions-surgeries",
        "bar",
        _("Surgeries by recipient region"),
        names,
        [
            dataset(_("led by local surgeons alone"), [r["surgeries_local"] for r in rows], LOCAL),
            dataset(_("with visiting experts (visiting or joint)"),
                    [r["surgeries"] - r["surgeries_local"] for r in rows], JOINT),
        ],
        stacked=True,
        horizontal=True,
    )
    people = chart(
        "chart-regions-people",
        "bar",
        _("Experts and trainees by recipient region"),
        names,
        [
            dataset(_("experts deployed"), [r["experts"] for r in rows], EXPERTS),
            dataset(_("local trainees"), [r["trainees"] for r in rows], MENTOR),
        ],
        horizontal=True,
    )
    return [surgeries, people]


# --------------------------------------------------------------------------
# The donor dashboard (figures/donor.py gives the series)

REGION_PALETTE = [EXPERTS, ONSITE, LOCAL, FURTHER, FIRST, JOINT, OTHER, MENTOR]


def experts_by_recipient_chart(series, names, grouping=MONTH):
    """Experts on site per month, stacked by recipient region; `names`:
    {region code: display name}. The table adds the distinct experts of
    the month (a person in two regions counts once there). By quarter or
    year: the most of one month, each column apart."""
    months = series["months"]
    regions = series["regions"]
    return chart(
        "chart-donor-experts",
        "bar",
        per(grouping, _("Experts on site per month, by recipient region"),
            _("Experts on site per quarter (most in a month), by recipient region"),
            _("Experts on site per year (most in a month), by recipient region")),
        [m["label"] for m in months],
        [dataset(names.get(code, code), [m["by_recipient"][code] for m in months],
                 REGION_PALETTE[i % len(REGION_PALETTE)])
         for i, code in enumerate(regions)],
        stacked=True,
        table={
            "headers": [group_header(grouping), *[names.get(code, code) for code in regions],
                        per(grouping, _("Distinct experts"), _("Distinct experts (most in a month)"),
                            _("Distinct experts (most in a month)"))],
            "rows": [[m["label"], *[m["by_recipient"][code] for code in regions], m["experts"]] for m in months],
        },
        print_by_year=(*[MOST if grouping == MONTH else MAX for _code in regions], MOST if grouping == MONTH else MAX),
        points=months,
    )


def twinned_surgeries_chart(series):
    """Surgeries of the twinned departments per year by who led them, with
    the share led by local surgeons alone as a line: the donor's
    skills-transfer trend."""
    lead_labels = {"visiting": _("visiting expert"), "joint": _("jointly"), "local": _("local surgeon alone")}
    return chart(
        "chart-donor-twinned",
        "bar",
        _("Surgeries of the twinned departments per year, by who led them"),
        [str(r["year"]) for r in series],
        [
            *[dataset(lead_labels[lead], [r[lead] for r in series], role)
              for lead, role in (("visiting", VISITING), ("joint", JOINT), ("local", LOCAL))],
            dataset(_("share led by local surgeons alone (%)"),
                    [r["local_share_percent"] for r in series], SHARE, line=True),
        ],
        stacked=True,
        percent_axis=_("local share (%)"),
        table={
            "headers": [_("Year"), lead_labels["visiting"], lead_labels["joint"], lead_labels["local"],
                        _("Total"), _("Local alone (%)")],
            "rows": [
                [r["year"], r["visiting"], r["joint"], r["local"], r["total"], r["local_share_percent"]]
                for r in series
            ],
        },
        points=series,
    )


def trainees_per_year_chart(series):
    kinds = [("onsite_course", _("on-site course"), ONSITE), ("mentorship", _("mentorship"), MENTOR),
             ("further_study", _("further study"), FURTHER)]
    return chart(
        "chart-donor-trainees",
        "bar",
        _("Trainees starting a training per year, by kind"),
        [str(r["year"]) for r in series],
        [dataset(label, [r[key] for r in series], role) for key, label, role in kinds],
        stacked=True,
        table={
            "headers": [_("Year"), *[label for _k, label, _r in kinds], _("Distinct trainees")],
            "rows": [[r["year"], *[r[key] for key, _l, _r in kinds], r["total"]] for r in series],
        },
        points=series,
    )
