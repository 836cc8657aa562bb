"""The surgery list's rows: every value escaped, choice labels and tags in the
reader's language, links to the record, its hospital and its team."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.html import escape

from outcomes.models import Surgery
from tests import factories as f


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
def test_each_row_shows_the_surgery_escaped_and_linked(rows, client, admin_user, language):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/surgeries/").content.decode()
    assert "<script>alert" not in page and "<b>" not in page
    with translation.override(language):
        demonstration = f' <span class="tag">{translation.gettext("demonstration")}</span>'
        first = f' <span class="tag tag--accent">{translation.gettext("first in region")}</span>'
        for row in rows:
            hospital = row.hospital
            team = f'<a href="/teams/{row.team.code}/">{escape(row.team.name)}</a>' if row.team else ""
            procedure = escape(row.procedure) + (demonstration if row.demonstration else "") + (
                first if row.first_in_region else ""
            )
            expected = (
                "<tr>\n\n"
                f'<td class="ref"><a href="/surgeries/{row.pk}/">{escape(row.ref)}</a></td>\n'
                f'<td class="nowrap">{row.date.isoformat()}</td>\n'
                f'<td><a href="/hospitals/{hospital.code}/">{escape(str(hospital))}</a></td>\n'
                f"<td>{escape(str(row.specialty))}</td>\n"
                f"<td>{procedure}</td>\n"
                f'<td class="num">{row.grade}</td>\n'
                f"<td>{escape(row.get_approach_display())}</td>\n"
                f"<td>{escape(row.get_lead_display())}</td>\n"
                f"<td>{team}</td>\n"
                f"<td>{escape(row.get_outcome_display())}</td>\n"
                "</tr>"
            )
            assert expected in page, (language, row.ref)
    assert "&lt;script&gt;" in page and 'Team &lt;b&gt;&quot;1&quot;&lt;/b&gt; &amp; co' in page
