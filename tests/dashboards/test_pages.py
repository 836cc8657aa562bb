"""Every page renders; the region dashboard's figures follow its filters and
each card's link lists exactly the rows behind the figure."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from figures.summary import region_summary
from aidtracker.lib.periods import Period

PAGES = [
    "/", "/regions/540000/", "/regions/650000/", "/programs/", "/programs/BJ-LHASA/",
    "/programs/SH-XIGAZE/", "/hospitals/", "/hospitals/LS-PEOPLES/", "/hospitals/BJ-FRIENDSHIP/",
    "/surgeries/", "/trainings/", "/rotations/", "/techniques/", "/referrals/", "/consultations/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_for_the_plain_world(signed_in, world, url):
    response = signed_in.get(url)
    assert response.status_code == 200, url
    assert b'<main id="content"' in response.content


@pytest.mark.parametrize("url", [*PAGES, "/teams/BJ-LHASA-9/"])
def test_every_page_renders_with_records(signed_in, dash, url):
    response = signed_in.get(url)
    assert response.status_code == 200, url


def test_url_names_of_the_models_resolve(dash):
    assert dash.tibet.get_absolute_url() == "/regions/540000/"
    assert dash.bj_lhasa.get_absolute_url() == "/programs/BJ-LHASA/"
    assert dash.bj_team.get_absolute_url() == "/teams/BJ-LHASA-9/"
    assert dash.lhasa_peoples.get_absolute_url() == "/hospitals/LS-PEOPLES/"
    assert reverse("dashboards:overview") == "/"


def test_unknown_codes_are_404_and_a_prefecture_redirects_to_its_province(signed_in, world):
    assert signed_in.get("/regions/999999/").status_code == 404
    assert signed_in.get("/programs/NOPE/").status_code == 404
    assert signed_in.get("/teams/NOPE/").status_code == 404
    assert signed_in.get("/hospitals/NOPE/").status_code == 404
    response = signed_in.get("/regions/540200/?date_after=2024-01-01")
    assert response.status_code == 302
    assert response["Location"] == "/regions/540000/?date_after=2024-01-01"


def test_the_regions_address_leads_to_the_overview_which_lists_them(signed_in, world):
    response = signed_in.get("/regions/?date_after=2024-01-01")
    assert response.status_code == 302
    assert response["Location"] == "/?date_after=2024-01-01"


def test_the_dashboard_shows_the_summary_and_its_filters_change_the_figures(signed_in, dash):
    everything = signed_in.get("/regions/540000/").context["summary"]
    assert everything == region_summary("540000")
    narrowed = signed_in.get(
        "/regions/540000/?date_after=2024-01-01&date_before=2024-06-30"
        "&specialty=general_surgery&donor=110000"
    ).context["summary"]
    assert narrowed == region_summary(
        "540000", Period(*map(__import__("datetime").date.fromisoformat, ["2024-01-01", "2024-06-30"])),
        specialty="general_surgery", donor="110000",
    )
    assert 0 < narrowed["surgeries"]["total"] < everything["surgeries"]["total"]
    assert narrowed["experts"] < everything["experts"]
    assert [d["code"] for d in narrowed["by_donor"]] == ["110000"]


def test_a_bad_filter_says_what_is_wrong_and_shows_all_time(signed_in, dash):
    response = signed_in.get("/regions/540000/?date_after=2024-12-31&date_before=2024-01-01")
    assert response.status_code == 200
    assert "is before its start" in response.content.decode()
    assert response.context["summary"]["period"] == {"from": None, "to": None}
    response = signed_in.get("/regions/540000/?date_after=yesterday")
    assert "Enter a valid date" in response.content.decode()


def _count_of(client, url):
    """The figure a list page shows for the rows it lists."""
    from django.core.cache import caches

    # Rendered (with its template context), not a whole page from the page
    # cache: a dashboard may link to the same list twice.
    caches["default"].clear()
    response = client.get(url)
    assert response.status_code == 200, url
    path = urlsplit(url).path
    totals = response.context["totals"]
    if path == "/trainings/":
        return totals["trainees"]
    if path == "/rotations/":
        return totals["experts"]
    return totals["rows"]


@pytest.mark.parametrize("query", [
    "",
    "?date_after=2024-03-01&date_before=2024-08-31&specialty=general_surgery",
    "?date_before=2024-06-30&specialty=orthopedics&donor=310000",
])
def test_each_card_links_to_a_list_whose_count_equals_the_card(signed_in, dash, query):
    response = signed_in.get("/regions/540000/" + query)
    checked = 0
    for card in response.context["cards"]:
        links = []
        if card["url"] and not card["url"].startswith("#") and card["label"] not in (
            "Expert-days", "Led by local surgeons alone"
        ):
            links.append((card["url"], card["value"]))
        links += [(part["url"], part["value"]) for part in card["parts"]]
        for url, value in links:
            assert _count_of(signed_in, url) == value, (card["label"], url)
            checked += 1
    assert checked >= 20
    twinnings = response.context["twinnings"]
    assert len(twinnings) == response.context["summary"]["twinned_departments"]
    for donor in response.context["donor_rows"]:
        assert _count_of(signed_in, donor["programs_url"]) == donor["programs"]
        assert _count_of(signed_in, donor["experts_url"]) == donor["experts"]
        assert _count_of(signed_in, donor["surgeries_url"]) == donor["surgeries"]


def test_card_links_carry_the_dashboard_filters(signed_in, dash):
    response = signed_in.get("/regions/540000/?date_after=2024-01-01&specialty=general_surgery")
    surgeries = next(c for c in response.context["cards"] if c["label"] == "Surgeries")
    query = parse_qs(urlsplit(surgeries["url"]).query)
    assert query == {"region": ["540000"], "date_after": ["2024-01-01"], "specialty": ["general_surgery"]}


def test_overview_lists_every_recipient_region_with_links(signed_in, dash):
    response = signed_in.get("/?date_after=2024-01-01&date_before=2024-12-31")
    rows = response.context["rows"]
    assert [r["code"] for r in rows] == ["540000"]  # Xinjiang receives no program yet
    assert rows[0]["url"] == "/regions/540000/?date_after=2024-01-01&date_before=2024-12-31"
    html = response.content.decode()
    assert 'data-chart="chart-regions-surgeries-data"' in html
    assert 'id="chart-regions-surgeries-data" type="application/json"' in html


def test_region_dashboard_hands_chart_data_over_without_inline_script(signed_in, dash):
    html = signed_in.get("/regions/540000/").content.decode()
    for chart in ["surgeries", "experts", "trainees", "techniques", "donors"]:
        assert f'<canvas id="chart-{chart}"' in html
    import re

    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('type="application/json"' in s or "src=" in s for s in scripts)
    assert " style=" not in html and " onclick=" not in html
    assert "Show the numbers" in html


def test_program_page_shows_teams_coverage_gaps_and_experts_on_site(signed_in, dash, monkeypatch):
    import datetime as dt

    from dashboards import views

    monkeypatch.setattr(views, "today", lambda: dt.date(2024, 7, 10))
    response = signed_in.get("/programs/BJ-LHASA/")
    departments = {d.specialty.code: d for d in response.context["departments"]}
    gs = departments["general_surgery"]
    # General surgery: twinned since 2015-08-01, experts 2024-01-01..06-30, then from 07-15.
    assert [(g.start, g.end) for g in gs.gaps] == [
        (dt.date(2015, 8, 1), dt.date(2023, 12, 31)),
        (dt.date(2024, 7, 1), dt.date(2024, 7, 10)),
    ]
    assert [r["person_id"] for r in response.context["on_site"]] == ["E002"]
    html = response.content.decode()
    assert "Ninth Group" in html and "2024-07-01 – 2024-07-10" in html
    assert "<svg" in html and "timeline__gap" in html


def test_program_page_lists_the_latest_teams_and_links_to_all_and_to_the_rotations(signed_in, dash, monkeypatch):
    import datetime as dt

    from deployments.models import Rotation, Team
    from dashboards import views

    Team.objects.create(code="BJ-LHASA-8", program=dash.bj_lhasa, name="Eighth Group", batch=8,
                        start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 12, 31))
    monkeypatch.setattr(views, "TEAMS_SHOWN", 1)
    html = signed_in.get("/programs/BJ-LHASA/").content.decode()
    # The latest team, and the way to the others.
    assert "Ninth Group" in html and "Eighth Group" not in html
    assert '<a href="?teams=all#teams-title">All teams of the program</a>' in html
    html = signed_in.get("/programs/BJ-LHASA/?teams=all").content.decode()
    assert html.index("Ninth Group") < html.index("Eighth Group") and "All teams of the program" not in html
    rotations = Rotation.objects.filter(team__program="BJ-LHASA").count()
    assert (f'<a href="/rotations/?program=BJ-LHASA">All {rotations} rotations of the program as a list'
            in html)


def test_team_page_lists_its_people(signed_in, dash):
    response = signed_in.get("/teams/BJ-LHASA-9/")
    html = response.content.decode()
    assert "Expert 0" in html and "Expert 2" in html and "Expert 4" not in html
    assert response.context["surgeries"]["total"] == 10  # the Lhasa third of 30 surgeries


def test_the_dashboard_links_to_the_same_figures_as_json(signed_in, dash):
    response = signed_in.get("/regions/540000/?date_after=2024-01-01&specialty=orthopedics&donor=110000")
    api_url = response.context["api_url"]
    assert api_url == "/api/v1/regions/540000/summary?from=2024-01-01&specialty=orthopedics&donor=110000"
    assert signed_in.get(api_url).json() == response.context["summary"]
