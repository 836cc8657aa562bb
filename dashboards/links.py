"""The addresses the dashboards link to: a list filtered by a dashboard's
parameters, and the JSON API's query for the same figures."""

from urllib.parse import urlencode

from django.urls import reverse


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
    for the downloads (dashboards/downloads.py)."""
    return {"label": label, "value": value, "url": url, "parts": parts, "note": note, "accent": accent,
            "wide": wide, "number": value if isinstance(value, (int, float)) else number}


def part(label, value, url):
    return {"label": label, "value": value, "url": url}


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
