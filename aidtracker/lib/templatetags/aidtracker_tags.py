"""Template helpers for the pages: sortable column headers, links that
tolerate a missing URL name, percentages and number formatting."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(name, *args):
    """The URL of `name`, or "" when no such URL exists (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_header(context, column, label):
    """A column header (includes/sort_header.html) whose link sorts the list
    by `column`, and flips the order on a second click; the active column
    carries aria-sort (WAI-ARIA sortable table)."""
    sorting = context["sorting"]
    query = context["query"].copy()
    active = sorting.name == column
    query["sort"] = f"-{column}" if active and not sorting.descending else column
    return {"label": label, "query": query.urlencode(), "active": active, "descending": sorting.descending}


@register.filter
def percent(value, digits=0):
    """0.4567 -> '45.7 %' style; None -> an en dash."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{int(digits)}f} %"


@register.filter
def signed_percent(value):
    """A change in percent with its sign; None -> an en dash."""
    if value is None:
        return "–"
    return f"{value:+.1f} %"


@register.filter
def get_item(mapping, key):
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
