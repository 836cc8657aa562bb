"""A program page names at most 30 people on site today, and 5 per twinned
department, and leads to the rest: its HTML does not grow with the number of
experts on site at once (issue 18)."""

import datetime as dt

from django.core.cache import caches
from django.utils import timezone

from deployments.models import Person, Rotation
from tests.dashboards.test_pages import _count_of
from tests.factories import (
    PersonFactory,
    ProgramFactory,
    RotationFactory,
    TeamFactory,
    TwinningFactory,
    specialty,
)


def _big_program(n=35):
    today = timezone.localdate()
    program = ProgramFactory(code="BIG", start_date=today - dt.timedelta(days=400))
    TwinningFactory(program=program, specialty=specialty("general_surgery"), start_date=program.start_date)
    team = TeamFactory(program=program, start_date=today - dt.timedelta(days=30),
                       end_date=today + dt.timedelta(days=30))
    for i in range(n):
        RotationFactory(team=team, person=PersonFactory(name=f"Doctor {i:02d}"),
                        specialty=specialty("general_surgery"),
                        start_date=today - dt.timedelta(days=10), end_date=today + dt.timedelta(days=10))
    return program, team, today


def test_the_program_page_bounds_who_is_on_site_today(client, admin_user, db):
    _program, _team, today = _big_program()
    client.force_login(admin_user)
    response = client.get("/programs/BIG/")
    html = response.content.decode()
    assert response.context["on_site_count"] == 35
    assert len(response.context["on_site"]) == 30
    # 30 in the list of today, 5 in the department's row: the first ones by name.
    assert html.count("Doctor 00") == 2 and html.count("Doctor 04") == 2
    assert html.count("Doctor 05") == 1 and html.count("Doctor 29") == 1
    assert "Doctor 30" not in html and "Doctor 34" not in html
    assert "and 30 more" in html
    url = f"/rotations/?program=BIG&amp;on_site={today.isoformat()}"
    assert f'<a href="{url}">All 35 on site today as a list</a>' in html
    # The link lists the very people counted.
    assert _count_of(client, url.replace("&amp;", "&")) == 35
    caches["default"].clear()
    listed = client.get(url.replace("&amp;", "&"))
    assert {r.person_id for r in listed.context["page_obj"].object_list} == set(
        Rotation.objects.filter(team__program__code="BIG").on_site_on(today).values_list("person_id", flat=True)
    )


def test_the_program_page_does_not_grow_with_200_more_on_site_today(client, admin_user, db):
    _program, team, today = _big_program()
    client.force_login(admin_user)
    before = client.get("/programs/BIG/")
    people = Person.objects.bulk_create(
        Person(code=f"X{i:04d}", name=f"Doctor {100 + i}", home_hospital=team.program.recipient_hospital)
        for i in range(200)
    )
    Rotation.objects.bulk_create(
        Rotation(team=team, person=p, specialty=specialty("general_surgery"), title="attending",
                 role=Rotation.Role.MEMBER, start_date=today - dt.timedelta(days=5),
                 end_date=today + dt.timedelta(days=5))
        for p in people
    )
    caches["default"].clear()
    after = client.get("/programs/BIG/")
    assert after.context["on_site_count"] == 235
    assert after.context["departments"][0].on_site_count == 235
    # Only the counts change ("35" becomes "235" in three places).
    assert len(after.content) - len(before.content) <= 10
    assert "All 235 on site today as a list" in after.content.decode()


def test_nobody_on_site_today(client, admin_user, db):
    program, team, today = _big_program(n=0)
    RotationFactory(team=team, specialty=specialty("general_surgery"),
                    start_date=today - dt.timedelta(days=20), end_date=today - dt.timedelta(days=1))
    client.force_login(admin_user)
    response = client.get("/programs/BIG/")
    assert response.context["on_site"] == [] and response.context["on_site_count"] == 0
    assert response.context["rotation_count"] == 1
    assert "No expert of this program is on site today." in response.content.decode()


def test_a_bad_on_site_date_is_a_form_error(client, admin_user, db):
    _big_program(n=2)
    client.force_login(admin_user)
    response = client.get("/rotations/?program=BIG&on_site=2024-13-45")
    assert response.status_code == 200
    assert "on_site" in response.context["filter"].form.errors
