"""The addresses the dashboards link to: a list filtered by a dashboard's
parameters, and the JSON API's query for the same figures."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _


def list_url(name, params, **extra):
    """URL of the list `name` filtered by the dashboard's `params` and `extra`
    (a value of None or "" drops that parameter)."""
    query = {k: v for k, v in {**params, **extra}.items() if v not in (None, "")}
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def api_query(period, specialty=None, **other) -> str:
    """The JSON API's parameters (`from`, `to`, `specialty` and the other
    region: `donor=` of a region summary, `recipient=` of a donor summary)
    for a dashboard's figures, as a query string ("" for none)."""
    query = {k: v for k, v in period.as_dict().items() if v}
    if specialty:
        query["specialty"] = specialty.pk
    query.update({name: region.pk for name, region in other.items() if region})
    return "?" + urlencode(query) if query else ""


# The dashboards' cards (templates/dashboards/cards.html): a figure with the
# link to its rows, its parts each with theirs.

def card(label, value, url=None, parts=(), note="", accent=False, wide="", number=None):
    """A card: `wide` says that a filter does not narrow it; `number` is the
    value as a number when the card shows it as text (a share, "43.0 %"),
    for the downloads (dashboards/downloads.py) and the comparison with an
    earlier period (with_earlier: a card shown as text is a share)."""
    return {"label": label, "value": value, "url": url, "parts": parts, "note": note, "accent": accent,
            "wide": wide, "number": value if isinstance(value, (int, float)) else number,
            "share": isinstance(value, str)}


def part(label, value, url):
    return {"label": label, "value": value, "url": url}


def trainee_cards(trainees, p, params, note):
    """The "Trainees" card (by kind) and the "Became independent" card of the
    region, donor and program pages: `trainees` as the summaries give them,
    `p` the lists' parameters, `params` the page's (its period bounds become
    the independence dates)."""
    trainings = "outcomes:training_list"
    kinds = (("onsite_course", _("on-site course")), ("mentorship", _("mentorship")),
             ("further_study", _("further study")))
    return [
        card(_("Trainees"), trainees["total"], list_url(trainings, p), parts=[
            part(label, trainees["by_kind"][kind], list_url(trainings, p, kind=kind)) for kind, label in kinds
        ], note=note),
        card(_("Became independent"), trainees["independent"],
             list_url(trainings, {**p, "date_after": None, "date_before": None}, independent="true",
                      independent_after=params.get("date_after"), independent_before=params.get("date_before")),
             note=_("trainees who now work without supervision")),
    ]


def techniques_card(techniques, p):
    """The "New techniques" card of the region, donor and program pages."""
    return card(_("New techniques"), techniques["total"], list_url("outcomes:technique_list", p), parts=[
        part(_("first in region"), techniques["first_in_region"],
             list_url("outcomes:technique_list", p, first_in_region="true")),
    ])


def share_text(percent) -> str:
    """A share in percent as a card shows it ("–" without a base)."""
    return "–" if percent is None else f"{percent:.1f} %"


def without_list_links(cards):
    """`cards` with their links to lists dropped, the page's own anchors
    kept: for viewers, who may not open the lists."""
    for c in cards:
        if c["url"] and not c["url"].startswith("#"):
            c["url"] = None
        for pt in c["parts"]:
            pt["url"] = None
    return cards


# This period against the last: each card with the same card of the
# comparable period just before (Period.previous), built by the same
# function from that period's summary and parameters.

def earlier_params(params, period) -> dict:
    """A dashboard's `params` with the dates of `period` (the earlier one)."""
    return {**params, "date_after": period.start.isoformat(), "date_before": period.end.isoformat()}


def with_earlier(cards, earlier_cards, earlier_period, earlier_page):
    """`cards`, each with `earlier` (comparison()) from the card at the same
    place of `earlier_cards`: the same cards built from the summary of
    `earlier_period` with that period's dates, so that each earlier figure
    links to the same list for the earlier dates. `earlier_page`: the
    dashboard's own address for the earlier period, for cards that link to
    a part of the page ("#twinnings")."""
    label = earlier_period.label()
    for now, before in zip(cards, earlier_cards, strict=True):
        url = before["url"]
        if url and url.startswith("#"):
            url = earlier_page + url
        now["earlier"] = comparison(now, before, label, url)
        # Each part (a breakdown line: by kind, by who led...) against the
        # same part of the earlier card: built by the same function, so the
        # parts come in the same order.
        for part_now, part_before in zip(now["parts"], before["parts"], strict=True):
            part_now["earlier"] = comparison(
                {"share": False, "number": part_now["value"]},
                {"number": part_before["value"]}, label, part_before["url"],
            )
    return cards


def comparison(now, before, label, url) -> dict:
    """A card's figure against the same figure of an earlier period:
    {"label" (the earlier period's, e.g. "2023"), "url", "value", "text"
    (a share as shown), "none" (no earlier data: a count of 0, or a share
    without a base, so no change is given, never a percentage of zero or
    infinity; a share of 0.0 % is data), "change"
    (signed; percentage points for a share), "sign", "magnitude" (its
    absolute value), "percent" (the change in percent of the earlier
    figure, counts only, as text) and "percent_value" (the same as a
    number, one decimal)}."""
    share, value, earlier = now["share"], now["number"], before["number"]
    result = {"label": label, "url": url, "value": earlier, "share": share,
              "text": share_text(earlier) if share else None,
              "none": earlier is None if share else not earlier, "change": None, "percent": None,
              "percent_value": None}
    if not result["none"] and value is not None:
        change = round(value - earlier, 1) if share else value - earlier
        result.update(
            change=change,
            sign="+" if change > 0 else "−" if change < 0 else "±",
            magnitude=abs(change),
            percent=None if share else signed_percent(100 * change / earlier),
            percent_value=None if share else round(100 * change / earlier, 1),
        )
    return result


def signed_percent(value) -> str:
    """A change in percent with its sign, one decimal: "+15.9 %", "−3.0 %", "±0.0 %"."""
    text = f"{abs(value):.1f} %"
    return ("±" if text == "0.0 %" else "+" if value > 0 else "−") + text


# Safety by who led (figures/series.py, safety_figures): each count links to
# the surgeries it counts.

def safety_rows(safety, params, links=True) -> dict:
    """The region dashboard's "Safety by who led" tables from
    safety_figures(...): {"rows": [row per lead], "per_year": [{"year",
    "partial", "through", "rows": [...]}]}, each row {"lead", "label",
    "surgeries", "complications", "complication_rate", "deaths",
    "death_rate" (the rates as figures show them: "–" without surgeries)}
    with the list of the surgeries of that lead (and outcome) as
    `*_url` (`params`: the dashboard's, with the region; a year's rows for
    that year's days within the period). No url when not `links`."""
    labels = {"visiting": _("visiting expert"), "joint": _("jointly"), "local": _("local surgeon alone")}

    def rows(by_lead, p):
        result = []
        for lead, figures in by_lead.items():
            url = (lambda **extra: list_url("outcomes:surgery_list", p, lead=lead, **extra)) if links else (
                lambda **extra: None)
            result.append({
                "lead": lead,
                "label": labels[lead],
                **figures,
                "complication_rate": share_text(figures["complication_rate_percent"]),
                "death_rate": share_text(figures["death_rate_percent"]),
                "surgeries_url": url(),
                "complications_url": url(outcome="complication"),
                "deaths_url": url(outcome="death"),
            })
        return result

    per_year = []
    for year in safety["per_year"]:  # a year's `caption`: its name, or that it is partial
        start, end = f"{year['year']}-01-01", f"{year['year']}-12-31"
        after = max(start, params.get("date_after") or start)
        before = min(end, params.get("date_before") or end)
        caption = (_("%(year)s (partial, up to %(through)s)") % year) if year["partial"] else str(year["year"])
        per_year.append({**year, "caption": caption,
                         "rows": rows(year["by_lead"], {**params, "date_after": after, "date_before": before})})
    return {"rows": rows(safety["by_lead"], params), "per_year": per_year}
