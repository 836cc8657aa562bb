"""The surgery list's rows written in Python (outcomes/rows.py) are exactly
what the template block they replace wrote, in English and Chinese, with
markup in the values, with and without a team, with both tags."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import translation

from outcomes.models import Surgery
from outcomes.rows import surgery_rows
from tests import factories as f

# templates/outcomes/surgery_list.html's {% block row %} before outcomes/rows.py,
# inside record_list.html's loop.
TEMPLATE_ROWS = """{% load i18n aidtracker_tags %}{% for row in rows %}<tr>
{% optional_url "outcomes:surgery" row.pk as detail %}
<td class="ref">{% if detail %}<a href="{{ detail }}">{{ row.ref }}</a>{% else %}{{ row.ref }}{% endif %}</td>
<td class="nowrap">{{ row.date|date:"Y-m-d" }}</td>
<td><a href="{{ row.hospital.get_absolute_url }}">{{ row.hospital }}</a></td>
<td>{{ row.specialty }}</td>
<td>{{ row.procedure }}{% if row.demonstration %} <span class="tag">{% translate "demonstration" %}</span>{% endif %}{% if row.first_in_region %} <span class="tag tag--accent">{% translate "first in region" %}</span>{% endif %}</td>
<td class="num">{{ row.grade }}</td>
<td>{{ row.get_approach_display }}</td>
<td>{{ row.get_lead_display }}</td>
<td>{% if row.team %}<a href="{{ row.team.get_absolute_url }}">{{ row.team }}</a>{% endif %}</td>
<td>{{ row.get_outcome_display }}</td>
</tr>{% endfor %}"""


@pytest.fixture
def rows(world):
    team = f.TeamFactory(program=world.bj_lhasa, name='Team <b>"1"</b> & co')
    specs = [
        {"hospital": world.lhasa_peoples, "team": team, "demonstration": True, "first_in_region": True,
         "procedure": "<script>alert('x')</script> & more", "approach": "robotic", "lead": "local",
         "outcome": "death", "grade": 4, "date": dt.date(999, 1, 2)},
        {"hospital": world.xigaze_peoples, "team": None, "first_in_region": True, "approach": "open",
         "lead": "visiting", "outcome": "complication", "grade": 1},
        {"hospital": world.pulan, "team": team, "demonstration": True, "ref": "S-<&>\"'"},
        {"hospital": world.lhasa_peoples, "team": None},
    ]
    for spec in specs:
        f.SurgeryFactory(specialty=f.specialty("cardiology"), **spec)
    return list(Surgery.objects.select_related("hospital", "specialty", "team").order_by("pk"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_rows_are_the_templates_rows(rows, language):
    with translation.override(language):
        expected = engines["django"].from_string(TEMPLATE_ROWS).render({"rows": rows})
        assert surgery_rows(rows) == expected
    assert "tag--accent" in expected and "&lt;script&gt;" in expected and "/teams/" in expected


def test_the_list_page_shows_them(rows, client, admin_user):
    client.force_login(admin_user)
    page = client.get("/surgeries/").content.decode()
    expected = engines["django"].from_string(TEMPLATE_ROWS).render({"rows": sorted(rows, key=lambda r: (-r.date.toordinal(), r.pk))})
    assert expected in page
