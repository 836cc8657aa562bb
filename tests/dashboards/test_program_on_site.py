"""A program page names at most 30 people on site today, and 5 per twinned
department, and leads to the rest: its HTML does not grow with the number of
experts on site at once (issue 18)."""

import datetime as dt

from django.utils import timezone

from tests.dashboards.test_pages import _count_of
from tests.factories import (
    PersonFactory,
    ProgramFactory,
    RotationFactory,
    TeamFactory,
    TwinningFactory,
    specialty,
)


def test_the_program_page_bounds_who_is_on_site_today(client, admin_user, db):
    today = timezone.localdate()
    program = ProgramFactory(code="BIG", start_date=today - dt.timedelta(days=400))
    TwinningFactory(program=program, specialty=specialty("general_surgery"), start_date=program.start_date)
    team = TeamFactory(program=program, start_date=today - dt.timedelta(days=30),
                       end_date=today + dt.timedelta(days=30))
    for n in range(35):
        RotationFactory(team=team, person=PersonFactory(name=f"Doctor {n:02d}"),
                        specialty=specialty("general_surgery"),
                        start_date=today - dt.timedelta(days=10), end_date=today + dt.timedelta(days=10))
    client.force_login(admin_user)
    response = client.get("/programs/BIG/")
    html = response.content.decode()
    assert len(response.context["on_site"]) == 35
    # 30 in the list of today, 5 in the department's row: the first ones by name.
    assert html.count("Doctor 00") == 2 and html.count("Doctor 04") == 2
    assert html.count("Doctor 05") == 1 and html.count("Doctor 29") == 1
    assert "Doctor 30" not in html and "Doctor 34" not in html
    assert "and 30 more" in html
    url = f"/rotations/?program=BIG&amp;on_site={today.isoformat()}"
    assert f'<a href="{url}">All 35 on site today as a list</a>' in html
    assert _count_of(client, url.replace("&amp;", "&")) == 35
