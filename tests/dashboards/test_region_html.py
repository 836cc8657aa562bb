"""The region dashboard's cards and twinning rows written in Python
(dashboards/html.py) are exactly what the template code they replace wrote,
with and without links (viewers), in English and Chinese, with markup in
names and an ongoing and an ended twinning."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import translation

from figures.summary import region_summary
from dashboards.html import region_cards as cards_html
from dashboards.html import twinning_rows
from dashboards.views import region_cards
from deployments.models import Twinning
from hospitals.models import Hospital
from tests import factories as f

# templates/dashboards/region.html before dashboards/html.py
TEMPLATE_CARDS = """{% load humanize %}{% for card in cards %}
  <li class="card{% if forloop.counter == 7 %} card--accent{% endif %}">
    <p class="card__label">{{ card.label }}</p>
    <p class="card__value" data-figure="{{ forloop.counter }}">{% if card.url %}<a href="{{ card.url }}">{{ card.value|intcomma }}</a>{% else %}{{ card.value|intcomma }}{% endif %}</p>
    {% if card.note %}<p class="card__note">{{ card.note }}</p>{% endif %}
    {% if card.parts %}
    <ul class="card__parts">
      {% for part in card.parts %}<li><span>{{ part.label }}</span> {% if part.url %}<a href="{{ part.url }}">{{ part.value|intcomma }}</a>{% else %}{{ part.value|intcomma }}{% endif %}</li>{% endfor %}
    </ul>
    {% endif %}
  </li>
{% endfor %}"""

TEMPLATE_TWINNINGS = """{% load i18n %}{% for t in twinnings %}
    <tr>
      <td><a href="{{ t.donor_hospital.get_absolute_url }}">{{ t.donor_hospital }}</a></td>
      <td aria-hidden="true" class="arrow">→</td>
      <td><a href="{{ t.program.recipient_hospital.get_absolute_url }}">{{ t.program.recipient_hospital }}</a> · {{ t.specialty }}</td>
      <td><a href="{{ t.program.get_absolute_url }}">{{ t.program.code }}</a></td>
      <td class="nowrap">{{ t.start_date|date:"Y-m-d" }}</td>
      <td class="nowrap">{{ t.end_date|date:"Y-m-d"|default:_("ongoing") }}</td>
    </tr>
    {% endfor %}"""


def render(template, **context):
    return engines["django"].from_string(template).render(context)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("links", [True, False])
@pytest.mark.parametrize("params", [{}, {"date_after": "2024-01-01", "specialty": "general_surgery", "donor": "110000"}])
def test_cards_are_the_templates_cards(world, language, links, params):
    for i in range(3):
        f.SurgeryFactory(hospital=world.lhasa_peoples, lead="local", date=dt.date(2024, 5, 1 + i))
    f.SurgeryFactory.create_batch(1000, hospital=world.pulan, lead="joint")  # thousands separators
    with translation.override(language):
        cards = region_cards(region_summary(world.tibet), params, links=links)
        assert cards_html(cards) == render(TEMPLATE_CARDS, cards=cards)
    assert "1,003" in cards_html(cards) and "%" in cards_html(cards)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_twinning_rows_are_the_templates_rows(world, language):
    donor = Hospital.objects.create(code="BJ-MARKUP", name='Donor <b>"&"</b>', name_zh="捐助 <b>&amp;</b>", region=world.beijing)
    f.TwinningFactory(program=world.bj_lhasa, donor_hospital=donor)
    f.TwinningFactory(program=world.sh_xigaze, donor_hospital=world.renji, end_date=dt.date(2024, 3, 4))
    f.TwinningFactory(program=world.bj_lhasa, donor_hospital=world.bj_friendship, specialty=f.specialty("cardiology"))
    twinnings = list(Twinning.objects.select_related("program__recipient_hospital", "donor_hospital", "specialty"))
    with translation.override(language):
        html = twinning_rows(twinnings)
        assert html == render(TEMPLATE_TWINNINGS, twinnings=twinnings)
    assert "&lt;b&gt;" in html and "2024-03-04" in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_chart_figures_are_the_includes(world, language):
    from django.template.loader import render_to_string

    from figures.overview import overview
    from figures.series import region_dashboard
    from dashboards import charts
    from dashboards.html import chart_figure

    f.SurgeryFactory(hospital=world.lhasa_peoples, lead="local", date=dt.date(2024, 5, 1))
    with translation.override(language):
        series = region_dashboard(world.tibet)["charts"]
        figures = [
            charts.surgeries_chart(series["surgeries_per_month"]),
            charts.experts_chart(series["experts_per_month"]),
            charts.trainees_chart(series["trainees_per_month"]),
            charts.techniques_chart(series["techniques_per_year"]),
            charts.donors_chart([{**d, "display_name": d["name"]} for d in region_summary(world.tibet)["by_donor"]]),
            *charts.overview_charts([{**row, "display_name": row["name"]} for row in overview()]),
            charts.chart("x<&>", "line", 'Title <b>"&"</b>', ["a", "b"],
                         [charts.dataset("d</script>", [1.5, None], "share")], small=True),
            charts.chart("y", "bar", "T", ["2024-01"], [charts.dataset("d", [1], "local")],
                         table={"headers": ["<h>", "n"], "rows": [["2024-01", 1234567, 12.5, None, "<x>"]]}),
        ]
        for chart in figures:
            assert chart_figure(chart) == render_to_string("includes/chart.html", {"chart": chart})
