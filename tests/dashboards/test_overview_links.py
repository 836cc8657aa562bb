"""The overview's figures link to their rows (issue 17, item 17): each
region row's cells and the totals go to the list of the rows behind them,
whose count equals the cell; viewers get plain numbers."""

import datetime as dt

import pytest

from deployments.models import Program, Rotation, Team, Twinning
from tests.conftest import _make_user
from tests.dashboards.test_pages import _count_of

#: The figure a list's count equals, by cell (the share's list is that of
#: the surgeries led locally alone; the expert-days' that of the experts).
COUNTED_AS = {"local_share_percent": "surgeries_local", "expert_days": "experts"}


@pytest.fixture
def two_regions(dash):
    """Xinjiang becomes a recipient region too: Beijing sends a team to the
    children's hospital (where S-XJ was operated)."""
    xj = Program.objects.create(code="BJ-XJ", name="Beijing aid to Xinjiang", kind="group_aid",
                                donor_region=dash.beijing, recipient_hospital=dash.xj_children,
                                start_date=dt.date(2020, 1, 1))
    team = Team.objects.create(code="BJ-XJ-1", program=xj, name="First Group", batch=1,
                               start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    # E000 serves Tibet and Xinjiang: counted once in each row.
    Rotation.objects.create(team=team, person=dash.people[0], specialty=dash.gs, title="attending",
                            role="member", start_date=dt.date(2024, 8, 1), end_date=dt.date(2024, 8, 31))
    Twinning.objects.create(program=xj, specialty=dash.gs, donor_hospital=dash.bj_friendship,
                            start_date=dt.date(2020, 1, 1))
    return dash


def _checked_cells(client, response):
    checked = 0
    rows = [(row, row["cells"]) for row in response.context["rows"]]
    rows.append((response.context["totals"], response.context["totals"]["cells"]))
    for row, cells in rows:
        # The totals have no twinnings table and no experts (not additive).
        unlinked = set() if "code" in row else {"twinned_departments", "experts", "expert_days"}
        for cell in cells:
            if cell["url"] is None:
                assert cell["key"] in unlinked, cell
                continue
            if cell["url"].startswith("/regions/"):
                # The twinned departments: the region dashboard's table.
                dashboard = client.get(cell["url"].split("#")[0])
                assert cell["url"].endswith("#twinnings")
                assert len(dashboard.context["twinnings"]) == cell["value"], cell
            else:
                expected = row[COUNTED_AS.get(cell["key"], cell["key"])]
                assert _count_of(client, cell["url"]) == expected, (row.get("code"), cell)
            checked += 1
    return checked


@pytest.mark.parametrize("query", ["", "?date_after=2024-03-01&date_before=2024-08-31", "?date_before=2024-06-15"])
def test_every_overview_link_lists_as_many_rows_as_its_cell(signed_in, two_regions, query):
    response = signed_in.get("/" + query)
    assert [r["code"] for r in response.context["rows"]] == ["540000", "650000"]
    # Ten links per region row, seven for the totals (no twinnings table, no experts).
    assert _checked_cells(signed_in, response) == 10 + 10 + 7


def test_overview_links_carry_the_region_and_the_period(signed_in, two_regions):
    response = signed_in.get("/?date_after=2024-03-01&date_before=2024-08-31")
    tibet = {c["key"]: c["url"] for c in response.context["rows"][0]["cells"]}
    assert tibet["surgeries"] == "/surgeries/?region=540000&date_after=2024-03-01&date_before=2024-08-31"
    assert tibet["local_share_percent"] == (
        "/surgeries/?region=540000&date_after=2024-03-01&date_before=2024-08-31&lead=local"
    )
    assert tibet["programs"] == "/programs/?region=540000&date_after=2024-03-01&date_before=2024-08-31"
    assert tibet["twinned_departments"] == "/regions/540000/?date_after=2024-03-01&date_before=2024-08-31#twinnings"
    totals = response.context["totals"]["links"]
    assert totals["surgeries"] == "/surgeries/?date_after=2024-03-01&date_before=2024-08-31"
    html = response.content.decode()
    assert '<a href="/trainings/?region=650000&amp;date_after=2024-03-01&amp;date_before=2024-08-31">' in html
    assert 'All recipient regions' in html


def test_an_officials_overview_links_within_their_region(client, two_regions, django_user_model):
    client.force_login(_make_user(django_user_model, "tibet", "official", regions=[two_regions.tibet]))
    response = client.get("/")
    assert [r["code"] for r in response.context["rows"]] == ["540000"]
    assert _checked_cells(client, response) == 10 + 7


def test_a_viewer_gets_plain_numbers_and_the_dashboard_anchor(client, two_regions, django_user_model):
    client.force_login(_make_user(django_user_model, "viewer", "viewer", regions=[two_regions.tibet]))
    response = client.get("/")
    cells = response.context["rows"][0]["cells"]
    assert [c["key"] for c in cells if c["url"]] == ["twinned_departments"]
    html = response.content.decode()
    assert "/surgeries/" not in html and "/programs/?" not in html


def test_with_one_recipient_region_the_headline_figures_list_its_rows(signed_in, dash):
    # S-XJ was operated in Xinjiang, which receives no program: not counted.
    response = signed_in.get("/?date_after=2024-01-01")
    assert [r["code"] for r in response.context["rows"]] == ["540000"]
    totals = response.context["totals"]
    assert totals["links"]["surgeries"] == "/surgeries/?region=540000&date_after=2024-01-01"
    assert _checked_cells(signed_in, response) == 10 + 7
