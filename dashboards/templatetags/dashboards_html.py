"""{{ cards|region_cards }}, {{ twinnings|twinning_rows }}, {{ chart|chart_figure }}
(dashboards/html.py)."""

from django import template

from dashboards import html

register = template.Library()
register.filter("region_cards", html.region_cards)
register.filter("twinning_rows", html.twinning_rows)
register.filter("chart_figure", html.chart_figure)
