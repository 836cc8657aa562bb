"""{{ cards|region_cards }}, {{ twinnings|twinning_rows }} (dashboards/html.py)."""

from django import template

from dashboards import html

register = template.Library()
register.filter("region_cards", html.region_cards)
register.filter("twinning_rows", html.twinning_rows)
