"""Entry points (issue 16, item 2): a "New" button on every list whose
records the user may create, every row opening its record (rotations
included), and the teams list that the dashboards' Teams cards lead to,
its count equal to the card."""

import datetime as dt

import pytest

from deployments.models import Program, Team
from tests.conftest import _make_user
from tests.dashboards.test_lists import read_csv
from tests.dashboards.test_pages import _count_of

LISTS = {
    "/surgeries/": ("/surgeries/new/", "New surgery"),
    "/trainings/": ("/trainings/new/", "New training"),
    "/rotations/": ("/rotations/new/", "New rotation"),
    "/techniques/": ("/techniques/new/", "New technique"),
    "/referrals/": ("/referrals/new/", "New referral"),
    "/consultations/": ("/consultations/new/", "New consultation"),
}


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_every_record_list_has_a_new_button_for_those_who_may_create(client, dash, admin_user,
                                                                      django_user_model, role):
    user = admin_user if role == "admin" else _make_user(
        django_user_model, "coord", "coordinator", programs=[dash.bj_lhasa])
    client.force_login(user)
    for url, (create, label) in LISTS.items():
        html = client.get(url).content.decode()
        assert f'<a class="button" href="{create}">{label}</a>' in html, url
        assert client.get(create).status_code == 200, create


@pytest.mark.parametrize("role", ["official", "coordinator without programs"])
def test_no_new_button_for_those_who_may_not_create(client, dash, django_user_model, role):
    if role == "official":
        user = _make_user(django_user_model, "tibet", "official", regions=[dash.tibet])
    else:
        user = _make_user(django_user_model, "coord", "coordinator")
    client.force_login(user)
    for url, (create, _label) in LISTS.items():
        response = client.get(url)
        assert response.status_code == 200
        assert f'href="{create}"' not in response.content.decode(), url
    # Teams, programs and hospitals have no form: no button for anybody.
    assert "/new/" not in client.get("/teams/").content.decode()


def test_every_rotation_row_opens_its_record(signed_in, dash):
    response = signed_in.get("/rotations/")
    html = response.content.decode()
    rows = list(response.context["rows"])
    assert rows
    for rotation in rows:
        assert f'href="/rotations/{rotation.pk}/"' in html
    page = signed_in.get(f"/rotations/{rows[0].pk}/")
    assert page.status_code == 200
    assert f'/rotations/{rows[0].pk}/history/' in page.content.decode()


def test_teams_list_rows_open_the_team_pages_and_export_the_spec_columns(signed_in, dash):
    response = signed_in.get("/teams/")
    html = response.content.decode()
    assert response.context["totals"]["rows"] == Team.objects.count() == 2
    assert '<a href="/teams/BJ-LHASA-9/">BJ-LHASA-9</a>' in html
    assert '<a href="/teams/SH-XIGAZE-10/">SH-XIGAZE-10</a>' in html
    assert 'href="/teams/"' in html and "Teams" in html  # the header's Records menu
    rows = read_csv(signed_in.get("/teams/export.csv?donor=110000"))
    assert rows[0] == ["code", "program_code", "name", "name_zh", "batch", "start_date", "end_date"]
    assert [r[0] for r in rows[1:]] == ["BJ-LHASA-9"]


def test_teams_list_filters_by_region_program_donor_and_overlap(signed_in, dash):
    def codes(query):
        return sorted(t.code for t in signed_in.get("/teams/" + query).context["rows"])

    assert codes("?region=540100") == ["BJ-LHASA-9"]  # Lhasa: Beijing's team
    assert codes("?program=SH-XIGAZE") == ["SH-XIGAZE-10"]
    assert codes("?donor=310000") == ["SH-XIGAZE-10"]
    Team.objects.create(code="BJ-LHASA-8", program=dash.bj_lhasa, name="Eighth Group", batch=8,
                        start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 12, 31))
    # A team counts when its own dates overlap the period, both ends counted.
    assert codes("?date_before=2023-12-31") == ["BJ-LHASA-8"]
    assert codes("?date_after=2024-01-01") == ["BJ-LHASA-9", "SH-XIGAZE-10"]
    assert codes("?date_after=2023-12-31&date_before=2024-01-01&donor=110000") == ["BJ-LHASA-8", "BJ-LHASA-9"]
    assert "Enter a valid date" in signed_in.get("/teams/?date_after=2024-13-01").content.decode()


def test_teams_list_is_for_readers_of_records_within_their_scope(client, dash, django_user_model):
    program = Program.objects.create(code="BJ-XJ", name="Beijing aid to Xinjiang", kind="group_aid",
                                     donor_region=dash.beijing, recipient_hospital=dash.xj_children,
                                     start_date=dt.date(2020, 1, 1))
    Team.objects.create(code="BJ-XJ-1", program=program, name="First Group", batch=1,
                        start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    client.force_login(_make_user(django_user_model, "tibet", "official", regions=[dash.tibet]))
    assert sorted(t.code for t in client.get("/teams/").context["rows"]) == ["BJ-LHASA-9", "SH-XIGAZE-10"]
    assert client.get("/teams/?region=650000").status_code == 200
    client.force_login(_make_user(django_user_model, "viewer", "viewer", all_regions=True))
    assert client.get("/teams/").status_code == 403
    assert client.get("/teams/export.csv").status_code == 403


@pytest.mark.parametrize("query", [
    "", "?date_after=2024-03-01&date_before=2024-08-31", "?date_before=2024-06-30&donor=310000",
    "?date_after=2030-01-01",
])
def test_the_region_dashboards_teams_card_lists_as_many_teams(signed_in, dash, query):
    cards = {c["label"]: c for c in signed_in.get("/regions/540000/" + query).context["cards"]}
    teams = cards["Teams"]
    assert teams["url"].startswith("/teams/?region=540000")
    assert _count_of(signed_in, teams["url"]) == teams["value"]


@pytest.mark.parametrize("query", ["", "?date_after=2024-03-01&date_before=2024-08-31&region=540000"])
def test_the_donor_dashboards_teams_card_lists_as_many_teams(signed_in, dash, query):
    cards = {c["label"]: c for c in signed_in.get("/donors/110000/" + query).context["cards"]}
    teams = cards["Teams"]
    assert teams["url"].startswith("/teams/?donor=110000")
    assert _count_of(signed_in, teams["url"]) == teams["value"] == 1


def test_viewers_teams_card_leads_to_the_teams_table_not_the_list(client, dash, django_user_model):
    client.force_login(_make_user(django_user_model, "viewer", "viewer", all_regions=True))
    cards = {c["label"]: c for c in client.get("/donors/110000/").context["cards"]}
    assert cards["Teams"]["url"] == "#teams-title"
    cards = {c["label"]: c for c in client.get("/regions/540000/").context["cards"]}
    assert cards["Teams"]["url"] is None
