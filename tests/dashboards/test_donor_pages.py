"""The donor pages (/donors/ and /donors/<code>/) on the hand-made bundle of
tests/data/donor_bundle/, whose figures its README derives by hand: every
card links to a list whose count equals the card, the recipient regions
table equals the region dashboards' donor rows (links both ways), the teams
and donor hospitals tables, the overview of an official of a donor
province, access, Chinese names."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import caches

from tests.conftest import _make_user
from tests.support.bundles import DATA, load_bundle

pytestmark = pytest.mark.django_db

YEAR = "?date_after=2024-01-01&date_before=2024-12-31"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}

def expected(name):
    return json.loads((DATA / "donor_bundle" / name).read_text(encoding="utf-8"))


@pytest.fixture
def bundle(db):
    load_bundle(DATA / "donor_bundle")


@pytest.fixture
def admin(client, admin_user, bundle):
    client.force_login(admin_user)
    return client


def sign_in(client, django_user_model, role, regions=(), all_regions=False, name=None):
    user = _make_user(django_user_model, name or f"{role}-{'-'.join(regions) or 'all'}", role,
                      regions=list(regions), all_regions=all_regions)
    client.force_login(user)
    return client


def count_of(client, url):
    """The figure a list page shows for the rows it lists (rendered, not from
    the page cache); rotations and trainings: their distinct people."""
    caches["default"].clear()
    response = client.get(url)
    assert response.status_code == 200, url
    totals = response.context["totals"]
    path = urlsplit(url).path
    if path == "/trainings/":
        return totals["trainees"]
    if path == "/rotations/":
        return totals["experts"]
    return totals["rows"]


def card_links(cards):
    """(label, url, value) of every card and part linking to a list. The
    expert-days and the local share link to the rows behind them, which
    list no such figure."""
    for card in cards:
        if card["url"] and not card["url"].startswith("#") and card["label"] not in (
            "Expert-days", "Led by local surgeons alone"
        ):
            yield card["label"], card["url"], card["value"]
        for part in card["parts"]:
            yield f'{card["label"]}: {part["label"]}', part["url"], part["value"]


QUERIES = [
    ("110000", ""),
    ("110000", YEAR),
    ("110000", "?date_after=2024-06-15"),
    ("110000", YEAR + "&specialty=orthopedics"),
    ("110000", YEAR + "&region=650000"),
    ("310000", YEAR),
    ("310000", "?date_after=2024-06-15&region=630000"),
]


@pytest.mark.parametrize("reader", ["admin", "the donor's official"])
@pytest.mark.parametrize("code,query", QUERIES)
def test_each_card_links_to_a_list_whose_count_equals_the_card(
    client, bundle, admin_user, django_user_model, code, query, reader
):
    """As an admin, and as an official of the donor province itself, who
    reads exactly its programs' records: every card's list shows the card's
    count (the twinned departments' surgeries and the hosted trainees
    through the lists' `twinned_by` and `host_region`)."""
    if reader == "admin":
        client.force_login(admin_user)
    else:
        sign_in(client, django_user_model, "official", regions=[code])
    response = client.get(f"/donors/{code}/{query}")
    links = list(card_links(response.context["cards"]))
    labels = {label for label, _url, _value in links}
    assert {"Surgeries of the twinned departments", "Hosted for further study"} <= labels
    for label, url, value in links:
        assert count_of(client, url) == value, (label, url)
    assert len(links) >= 25


def test_the_cards_show_the_hand_derived_summary(admin):
    response = admin.get("/donors/110000/" + YEAR)
    assert response.context["summary"] == expected("expected_110000_2024.json")
    cards = {c["label"]: c for c in response.context["cards"]}
    assert cards["Surgeries with its teams"]["value"] == 7
    assert cards["Surgeries of the twinned departments"]["value"] == 7
    # Skills transfer: 3 of the 7 surgeries of Beijing's twinned departments
    # were led by local surgeons alone (README: S05, S10, S15).
    assert cards["Led by local surgeons alone"]["value"] == "42.9 %"
    assert cards["Hosted for further study"]["value"] == 2
    assert cards["Teams"]["url"] == "/teams/?donor=110000&date_after=2024-01-01&date_before=2024-12-31"
    assert count_of(admin, cards["Teams"]["url"]) == cards["Teams"]["value"] > 0
    response = admin.get("/donors/310000/?date_after=2024-06-15&region=630000")
    assert response.context["summary"] == expected("expected_310000_2024-06-15-_recipient-630000.json")


def test_card_links_carry_the_dashboard_filters_under_the_lists_names(admin):
    response = admin.get("/donors/310000/" + YEAR + "&specialty=pediatric_surgery&region=650000")
    cards = {c["label"]: c for c in response.context["cards"]}
    query = parse_qs(urlsplit(cards["Surgeries with its teams"]["url"]).query)
    assert query == {"donor": ["310000"], "date_after": ["2024-01-01"], "date_before": ["2024-12-31"],
                     "specialty": ["pediatric_surgery"], "region": ["650000"]}
    query = parse_qs(urlsplit(cards["Surgeries of the twinned departments"]["url"]).query)
    assert query == {"twinned_by": ["310000"], "date_after": ["2024-01-01"], "date_before": ["2024-12-31"],
                     "specialty": ["pediatric_surgery"], "region": ["650000"]}
    query = parse_qs(urlsplit(cards["Hosted for further study"]["url"]).query)
    assert query == {"host_region": ["310000"], "kind": ["further_study"], "date_after": ["2024-01-01"],
                     "date_before": ["2024-12-31"], "specialty": ["pediatric_surgery"], "region": ["650000"]}


@pytest.mark.parametrize("code,query", [("110000", YEAR), ("310000", YEAR), ("310000", "?date_after=2024-06-15")])
def test_recipient_rows_equal_the_region_dashboards_donor_rows_and_link_both_ways(admin, code, query):
    response = admin.get(f"/donors/{code}/{query}")
    rows = response.context["recipient_rows"]
    assert [r["code"] for r in rows] == [r["code"] for r in response.context["summary"]["by_recipient"]]
    for row in rows:
        region_page = admin.get(row["url"])
        assert region_page.status_code == 200, row["url"]
        donor_row = next(d for d in region_page.context["donor_rows"] if d["code"] == code)
        for key in ("programs", "experts", "expert_days", "surgeries"):
            assert donor_row[key] == row[key], (row["code"], key)
        # ... and back to this dashboard, narrowed to that region.
        back = admin.get(donor_row["donor_url"])
        assert back.context["recipient_rows"] == [{**row, "url": back.context["recipient_rows"][0]["url"]}]
        assert count_of(admin, row["programs_url"]) == row["programs"]
        assert count_of(admin, row["experts_url"]) == row["experts"]
        assert count_of(admin, row["surgeries_url"]) == row["surgeries"]


def test_recipient_rows_are_hand_derived_and_link_to_the_region_filtered_by_the_donor(admin):
    response = admin.get("/donors/310000/?date_after=2024-06-15")
    rows = {r["code"]: r for r in response.context["recipient_rows"]}
    assert {code: (r["programs"], r["experts"], r["expert_days"], r["surgeries"]) for code, r in rows.items()} == {
        "540000": (1, 1, 91, 1), "630000": (1, 0, 0, 1), "650000": (1, 2, 549, 1),
    }
    assert rows["630000"]["url"] == "/regions/630000/?donor=310000&date_after=2024-06-15"
    html = response.content.decode()
    assert 'href="/regions/630000/?donor=310000&amp;date_after=2024-06-15">Qinghai Province</a>' in html


def test_the_teams_table_names_each_batch_with_its_program_people_and_leader(admin):
    response = admin.get("/donors/310000/" + YEAR)
    teams = {t["code"]: t for t in response.context["teams"]}
    assert list(teams) == ["SH-PULAN-1", "SH-XJ-2", "SH-XJ-1", "SH-XIGAZE-1"]  # the latest first
    assert len(teams) == response.context["summary"]["teams"]
    xj2 = teams["SH-XJ-2"]
    assert (xj2["display_name"], xj2["program_code"], xj2["people"], xj2["leader"]) == (
        "Second Group", "SH-XJ", 2, "Zhou Min")
    assert teams["SH-XJ-1"]["leader"] is None  # P202 was a member of the first group
    html = response.content.decode()
    assert '<a href="/teams/SH-XJ-2/">Second Group</a>' in html
    assert "2024-06-15 – 2025-06-14" in html


def test_the_donor_hospitals_table_is_hand_derived(admin):
    # Shanghai 2024 (README's rotations R8-R12, trainings TR07 and TR08):
    # SH-RENJI sent P201 (1 day), P203 (1 day), P204 (184 days), twins
    # Xigaze's obstetrics and Pulan's general surgery and hosted L007;
    # SH-ZHONGSHAN sent P202 (166 + 200 days), twins Xinjiang's paediatric
    # surgery and hosted L006. P104 (home SH-ZHONGSHAN) served a Beijing team.
    response = admin.get("/donors/310000/" + YEAR)
    rows = {h["code"]: h for h in response.context["hospitals"]}
    assert {code: (h["experts"], h["expert_days"], h["trainees_hosted"]) for code, h in rows.items()} == {
        "SH-RENJI": (3, 186, 1), "SH-ZHONGSHAN": (1, 366, 1),
    }
    # SH-PULAN is remote support: judged by consultations, no on-site coverage.
    assert [(t["recipient_code"], t["specialty_code"], t["coverage_percent"], t["remote_support"])
            for t in rows["SH-RENJI"]["twinnings"]] == [
        ("PL-COUNTY", "general_surgery", None, True), ("XG-PEOPLES", "obstetrics_gynecology", 100, False),
    ]
    assert "Pulan County People&#x27;s Hospital · General surgery <span class=\"muted\">(remote support)</span>" in (
        response.content.decode()
    )
    # Beijing 2024: orthopedics at Lhasa twinned 03-01..06-14, its only
    # orthopaedist on a Lhasa team came on 07-01: no day covered; general
    # surgery at Kashgar had no general surgeon on its team.
    response = admin.get("/donors/110000/" + YEAR)
    rows = {h["code"]: h for h in response.context["hospitals"]}
    assert {code: (h["experts"], h["expert_days"], h["trainees_hosted"]) for code, h in rows.items()} == {
        "BJ-CHAOYANG": (1, 351, 1), "BJ-FRIENDSHIP": (1, 366, 1),
    }
    coverage = {(t["recipient_code"], t["specialty_code"]): t["coverage_percent"]
                for h in rows.values() for t in h["twinnings"]}
    assert coverage == {("KS-FIRST", "general_surgery"): 0, ("LS-PEOPLES", "orthopedics"): 0,
                        ("LS-PEOPLES", "general_surgery"): 100}
    assert sum(len(h["twinnings"]) for h in rows.values()) == response.context["summary"]["twinned_departments"]
    assert '<a href="/hospitals/BJ-CHAOYANG/">Beijing Chaoyang Hospital</a>' in response.content.decode()


def test_the_charts_and_their_tables(admin):
    response = admin.get("/donors/110000/" + YEAR)
    charts = {c["id"]: c for c in response.context["charts"]}
    assert list(charts) == ["chart-donor-experts", "chart-donor-twinned", "chart-donor-trainees"]
    experts = charts["chart-donor-experts"]["table"]
    assert experts["headers"] == ["Month", "Tibet Autonomous Region", "Xinjiang Uygur Autonomous Region",
                                  "Distinct experts"]
    # June 2024: P101 and P104 in Lhasa, P102 in Kashgar.
    assert experts["rows"][5] == ["2024-06", 2, 1, 3]
    assert charts["chart-donor-twinned"]["table"]["rows"] == [[2024, 1, 3, 3, 7, 42.9]]  # the share a number (the downloads)
    assert charts["chart-donor-trainees"]["table"]["rows"] == [[2024, 1, 1, 2, 3]]
    html = response.content.decode()
    for chart in charts:
        assert f'<canvas id="{chart}"' in html


def test_donor_list_shows_each_donors_headline_figures_equal_to_its_summary(admin):
    response = admin.get("/donors/" + YEAR)
    rows = {r["code"]: r for r in response.context["rows"]}
    assert list(rows) == ["110000", "310000", "440000"]
    for code in ("110000", "310000"):
        summary = expected(f"expected_{code}_2024.json")
        row = rows[code]
        assert row["url"] == f"/donors/{code}/?date_after=2024-01-01&date_before=2024-12-31"
        assert (row["programs"], row["recipient_hospitals"], row["teams"], row["experts"], row["expert_days"],
                row["surgeries"], row["trainees"]) == (
            summary["programs"], summary["recipient_hospitals"], summary["teams"], summary["experts"],
            summary["expert_days"], summary["surgeries"]["total"], summary["trainees"]["total"])
    response = admin.get("/donors/?date_after=2024-06-15")
    row = next(r for r in response.context["rows"] if r["code"] == "310000")
    summary = expected("expected_310000_2024-06-15-.json")
    assert (row["programs"], row["experts"], row["expert_days"], row["surgeries"]) == (
        summary["programs"], summary["experts"], summary["expert_days"], summary["surgeries"]["total"])


def test_a_donor_province_that_receives_nothing_leads_to_its_donor_dashboard(admin):
    response = admin.get("/regions/310000/?date_after=2024-01-01")
    assert response.status_code == 302
    assert response["Location"] == "/donors/310000/?date_after=2024-01-01"
    assert admin.get("/regions/540000/").status_code == 200


def test_codes_without_a_donor_dashboard_are_404_with_the_reason(admin):
    response = admin.get("/donors/540000/")
    assert response.status_code == 404
    assert "is the donor of no program" in response.content.decode()
    response = admin.get("/donors/110100/")
    assert response.status_code == 404
    assert "is not a province-level region" in response.content.decode()
    assert admin.get("/donors/999999/").status_code == 404
    assert admin.get("/donors/" + "1" * 300 + "/").status_code == 404
    assert admin.get("/donors/31000x/").status_code == 404


def test_a_bad_filter_says_what_is_wrong(admin):
    response = admin.get("/donors/310000/?date_after=2024-12-31&date_before=2024-01-01")
    assert response.status_code == 200
    assert "is before its start" in response.content.decode()
    response = admin.get("/donors/310000/?region=310000&specialty=nope")
    assert response.status_code == 200
    assert response.context["summary"]["period"] == {"from": None, "to": None}


def test_an_official_of_shanghai_is_led_from_the_overview_to_shanghais_dashboard(client, bundle, django_user_model):
    sign_in(client, django_user_model, "official", regions=["310000"])
    response = client.get("/")
    html = response.content.decode()
    assert [r["code"] for r in response.context["donor_rows"]] == ["310000"]
    assert '<a href="/donors/310000/">Shanghai</a>' in html
    assert "No program has a recipient hospital" not in html
    assert client.get("/donors/310000/").status_code == 200
    assert [r["code"] for r in client.get("/donors/").context["rows"]] == ["310000"]
    assert client.get("/donors/110000/").status_code == 404


def test_access_to_the_donor_dashboard(client, bundle, django_user_model, admin_user):
    url = "/donors/310000/" + YEAR
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    sign_in(client, django_user_model, "official", regions=["540000"])
    assert client.get(url).status_code == 404
    assert client.get("/donors/").context["rows"] == []
    assert "Shanghai" not in client.get("/").content.decode()
    sign_in(client, django_user_model, "coordinator")
    assert client.get(url).status_code == 200
    sign_in(client, django_user_model, "viewer", all_regions=True)
    response = client.get(url)
    assert response.status_code == 200
    assert all(c["url"] is None or c["url"].startswith("#") for c in response.context["cards"])
    assert all(p["url"] is None for c in response.context["cards"] for p in c["parts"])
    assert all(r["programs_url"] is None and r["url"] for r in response.context["recipient_rows"])
    html = response.content.decode()
    assert 'href="/surgeries/' not in html and 'href="/rotations/' not in html and "/api/" not in html


def test_the_donor_dashboard_in_chinese_names_places_in_chinese(admin):
    response = admin.get("/donors/310000/" + YEAR, **ZH)
    html = response.content.decode()
    assert "上海市" in html and "新疆维吾尔自治区" in html
    assert "仁济医院" in html and "Renji Hospital" not in html
    assert "Xinjiang Uygur Autonomous Region" not in html
    specs = " ".join(re.findall(r'<script[^>]* type="application/json"[^>]*>(.*?)</script>', html, re.S))
    assert "Xinjiang" not in specs
    html = admin.get("/donors/" + YEAR, **ZH).content.decode()
    assert "北京市" in html and "Beijing" not in html


def test_a_second_view_comes_from_the_cache_and_a_write_shows_at_once(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from outcomes.models import Surgery

    caches["default"].clear()
    url = "/donors/310000/" + YEAR
    with CaptureQueriesContext(connection) as first:
        page = admin.get(url)
    assert page.context["summary"]["surgeries"]["total"] == 5
    with CaptureQueriesContext(connection) as second:
        page = admin.get(url)
    # The whole page from the page cache: the session, the user, the data version.
    assert len(first) >= 25 and len(second) == 3
    assert re.search(r'Surgeries with its teams</p>\s*<p class="card__value" data-figure="7"><a [^>]*>5<', page.content.decode())
    # One more surgery by a Shanghai team: the page shows it at once.
    s = Surgery.objects.filter(team__program__donor_region="310000").first()
    s.pk, s.ref = None, "S99"
    s.save()
    page = admin.get(url)
    assert re.search(r'Surgeries with its teams</p>\s*<p class="card__value" data-figure="7"><a [^>]*>6<', page.content.decode())
    # The list of donors too (cached apart, by the figures' call).
    rows = {r["code"]: r for r in admin.get("/donors/" + YEAR).context["rows"]}
    assert rows["310000"]["surgeries"] == 6


def test_the_region_dashboard_links_back_only_to_donors_the_reader_may_read(client, bundle, django_user_model):
    sign_in(client, django_user_model, "official", regions=["540000", "110000"])
    rows = {d["code"]: d for d in client.get("/regions/540000/" + YEAR).context["donor_rows"]}
    assert rows["110000"]["donor_url"] == "/donors/110000/?date_after=2024-01-01&date_before=2024-12-31&region=540000"
    assert rows["310000"]["donor_url"] is None
    assert client.get(rows["110000"]["donor_url"]).status_code == 200


def test_an_official_of_shanghai_opening_its_region_page_gets_its_donor_dashboard(client, bundle, django_user_model):
    sign_in(client, django_user_model, "official", regions=["310000"])
    response = client.get("/regions/310000/", follow=True)
    assert response.redirect_chain == [("/donors/310000/", 302)]
    assert response.context["summary"]["donor"]["code"] == "310000"


def test_an_official_of_shanghai_follows_the_recipient_table_both_ways(client, bundle, django_user_model, admin_user):
    """The done-when walk: an official of Shanghai opens, from Shanghai's
    dashboard, each recipient region filtered by Shanghai, sees the same
    figures there as in the recipient row (and as an admin sees on the same
    page, the region-wide movements left out), every card's list with the
    card's count, and comes back."""
    shanghai = _make_user(django_user_model, "shanghai", "official", regions=["310000"])
    client.force_login(shanghai)
    response = client.get("/donors/310000/?date_after=2024-06-15")
    rows = response.context["recipient_rows"]
    assert [r["code"] for r in rows] == ["540000", "630000", "650000"]
    for row in rows:
        assert row["url"] == f"/regions/{row['code']}/?donor=310000&date_after=2024-06-15"
        page = client.get(row["url"])
        assert page.status_code == 200, row["url"]
        (donor_row,) = page.context["donor_rows"]
        for key in ("programs", "experts", "expert_days", "surgeries"):
            assert donor_row[key] == row[key], (row["code"], key)
        back = client.get(donor_row["donor_url"])
        assert back.status_code == 200
        assert [r["code"] for r in back.context["recipient_rows"]] == [row["code"]]
        labels = [card["label"] for card in page.context["cards"]]
        assert "Patient movements" not in labels and page.context["api_url"] is None
        html = page.content.decode()
        assert "You read this region through the programs of Shanghai" in html
        client.force_login(admin_user)
        as_admin = client.get(row["url"]).context["cards"]
        assert [c for c in as_admin if c["label"] != "Patient movements"] == page.context["cards"]
        client.force_login(shanghai)
        for card in page.context["cards"]:
            links = [(part["url"], part["value"]) for part in card["parts"]]
            if card["url"] and not card["url"].startswith("#") and card["label"] not in (
                "Expert-days", "Led by local surgeons alone"
            ):
                links.append((card["url"], card["value"]))
            for url, value in links:
                assert count_of(client, url) == value, (row["code"], card["label"], url)


def test_a_donor_official_reads_a_recipient_region_only_through_its_donor(client, bundle, django_user_model):
    sign_in(client, django_user_model, "official", regions=["310000"])
    # Without their donor, or with another one: their donor's view instead.
    response = client.get("/regions/540000/?date_after=2024-01-01")
    assert response.status_code == 302
    assert response["Location"] == "/regions/540000/?date_after=2024-01-01&donor=310000"
    assert client.get("/regions/540000/?donor=110000")["Location"] == "/regions/540000/?donor=310000"
    # The filter offers their donor alone.
    page = client.get("/regions/540000/?donor=310000")
    assert [str(c.pk) for c in page.context["form"].fields["donor"].queryset] == ["310000"]
    # A bad date: all time, still Shanghai's work alone.
    page = client.get("/regions/540000/?donor=310000&date_after=nope")
    assert page.status_code == 200 and page.context["donor"].code == "310000"
    assert [d["code"] for d in page.context["donor_rows"]] == ["310000"]
    # A region where Shanghai has no program, and a prefecture: 404 as before.
    assert client.get("/regions/110000/?donor=310000").status_code == 404
    assert client.get("/regions/540100/?donor=310000").status_code == 404
    # An official of Tibet gains nothing from this.
    sign_in(client, django_user_model, "official", regions=["540000"])
    assert client.get("/regions/650000/?donor=310000").status_code == 404
