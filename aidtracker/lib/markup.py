"""Values written into HTML by Python code exactly as the templates would.

Parts of the busiest pages are written in Python instead of templates
(`aidtracker_tags.table_rows`, `dashboards/html.py`, `outcomes/rows.py`):
their cells go through these, so that the HTML stays byte for byte what
`{{ value }}` and `{{ value|date:"Y-m-d" }}` give.
"""

import html

from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape


def text(value) -> str:
    """`value` as {{ value }} writes it: localized, then autoescaped."""
    kind = type(value)
    if kind is str:  # localize() keeps it; conditional_escape() of a plain str is html.escape()
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:  # localize() is str()
        return str(value)
    return conditional_escape(localize(value))


def iso_date(value) -> str:
    """{{ value|date:"Y-m-d" }} ("" for None)."""
    if value is None:
        return ""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
