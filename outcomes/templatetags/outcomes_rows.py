"""{{ rows|surgery_rows }}: the surgery list's rows (outcomes/rows.py)."""

from django import template

from outcomes import rows as _rows

register = template.Library()
register.filter("surgery_rows", _rows.surgery_rows)
