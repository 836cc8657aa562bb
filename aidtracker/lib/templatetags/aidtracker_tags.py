"""Template helpers for the pages: sortable column headers, links that
tolerate a missing URL name, percentages and number formatting."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def optional_url(name, *args):
    """The URL of `name`, or "" when no such URL exists (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def sort_header(context, column, label):
    """A column header link that sorts by `column` and flips on a second click.

    Returns the <th> with scope and aria-sort (WAI-ARIA sortable table)."""
    sorting = context["sorting"]
    query = context["query"].copy()
    active = sorting.name == column
    if active and not sorting.descending:
        query["sort"] = f"-{column}"
    else:
        query["sort"] = column
    aria = ""
    marker = ""
    if active:
        aria = "descending" if sorting.descending else "ascending"
        marker = " ▼" if sorting.descending else " ▲"
    hint = _("sort by %(column)s") % {"column": label}
    if aria:
        return format_html(
            '<th scope="col" aria-sort="{}"><a href="?{}" title="{}">{}<span aria-hidden="true">{}</span></a></th>',
            aria, query.urlencode(), hint, label, marker,
        )
    return format_html(
        '<th scope="col"><a href="?{}" title="{}">{}</a></th>', query.urlencode(), hint, label
    )


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
