"""A program's page says what came of it (issue 19, item 0): cards of
figures.program.program_summary at the top, filtered by period and
specialty as the region dashboard, each linking to a list whose count
equals the figure; a remote-support program leads with its consultations."""

import datetime as dt

import pytest

from tests.conftest import _make_user
from tests.dashboards.test_pages import _count_of
from tests.factories import ProgramFactory
from tests.figures.test_program_summary import program_world

D = dt.date


@pytest.fixture
def world(db):
    return program_world()


def _cards(response):
    return {c["label"]: c for c in response.context["cards"]}


@pytest.mark.parametrize("query", [
    "",
    "?date_after=2024-01-01&date_before=2024-12-31",
    "?date_after=2024-02-15&date_before=2024-07-31&specialty=general_surgery",
])
def test_each_card_links_to_a_list_whose_count_equals_the_card(client, admin_user, world, query):
    client.force_login(admin_user)
    response = client.get("/programs/BJ-LHASA/" + query)
    assert response.status_code == 200
    summary = response.context["summary"]
    checked = 0
    for c in response.context["cards"]:
        links = [(c["url"], c)] + [(p["url"], p) for p in c["parts"]]
        for url, item in links:
            if url is None:
                continue
            if url.startswith("#"):
                assert f'id="{url[1:]}"' in response.content.decode()
                continue
            expected = item["value"]
            if c["label"] == "Expert-days" and item is c:
                expected = summary["experts"]  # the rotation list counts the people
            if c["label"] == "Led by local surgeons alone" and item is c:
                expected = summary["twinned_department_surgeries"]["by_lead"]["local"]
            assert _count_of(client, url) == expected, (c["label"], item["label"], url)
            checked += 1
    # 1+3 surgeries, 4 grades, 1+4 twinned, 3 on site, 1+3 trainees, 1 independent,
    # 1+1 techniques, 1 consultations.
    assert checked == 4 + 4 + 5 + 3 + 4 + 1 + 2 + 1


def test_the_cards_of_2024_show_the_hand_derived_figures_with_their_links(client, admin_user, world):
    client.force_login(admin_user)
    response = client.get("/programs/BJ-LHASA/?date_after=2024-01-01&date_before=2024-12-31")
    cards = _cards(response)
    period = "date_after=2024-01-01&date_before=2024-12-31"
    surgeries = cards["Surgeries at the recipient hospital"]
    assert surgeries["value"] == 4
    assert surgeries["url"] == f"/surgeries/?hospital=LS-PEOPLES&{period}"
    assert cards["Led by local surgeons alone"]["value"] == "50.0 %"
    assert cards["Led by local surgeons alone"]["url"] == f"/surgeries/?twinned_in=BJ-LHASA&{period}&lead=local"
    assert cards["Experts"]["url"] == f"/rotations/?program=BJ-LHASA&{period}"
    assert (cards["Experts"]["value"], cards["Expert-days"]["value"]) == (2, 70)
    assert cards["Trainees"]["url"] == f"/trainings/?program=BJ-LHASA&{period}"
    assert cards["Consultations"]["value"] == 1
    html = response.content.decode()
    # The cards at the top, then the existing tables; the filters carry the period.
    assert html.index('id="cards"') < html.index('id="onsite-title"') < html.index('id="coverage-title"')
    assert 'value="2024-01-01"' in html and "Figures for 2024-01-01 to 2024-12-31, both days counted." in html


def test_a_bad_date_says_what_is_wrong_and_shows_all_time(client, admin_user, world):
    client.force_login(admin_user)
    response = client.get("/programs/BJ-LHASA/?date_after=2024-13-01")
    assert response.status_code == 200
    assert response.context["form"].errors["date_after"]
    assert 'class="field__error"' in response.content.decode()
    assert response.context["summary"]["surgeries"]["total"] == 5  # all time


def test_a_remote_support_program_leads_with_its_consultations(client, admin_user, world):
    ProgramFactory(code="BJ-LHASA-RS", kind="remote_support", donor_region=world.beijing,
                   recipient_hospital=world.lhasa_peoples, start_date=D(2024, 1, 1))
    client.force_login(admin_user)
    response = client.get("/programs/BJ-LHASA-RS/")
    cards = response.context["cards"]
    assert cards[0]["label"] == "Consultations" and cards[0]["accent"]
    assert cards[0]["value"] == 2 and cards[0]["url"] == "/consultations/?program=BJ-LHASA-RS"
    labels = [c["label"] for c in cards]
    # No team on site is no failure for remote support: no zero on-site figures.
    assert not {"Teams", "Experts", "Expert-days"} & set(labels)
    assert not any(c["accent"] for c in cards[1:])
    assert "A remote-support program is judged by its consultations." in response.content.decode()


def test_a_viewer_reads_the_figures_without_list_links(client, django_user_model, world):
    viewer = _make_user(django_user_model, "viewer", "viewer", regions=[world.tibet])
    client.force_login(viewer)
    response = client.get("/programs/BJ-LHASA/?date_after=2024-01-01&date_before=2024-12-31")
    assert response.status_code == 200
    cards = response.context["cards"]
    assert _cards(response)["Surgeries at the recipient hospital"]["value"] == 4
    assert all(c["url"] is None or c["url"].startswith("#") for c in cards)
    assert all(p["url"] is None for c in cards for p in c["parts"])
    assert "/surgeries/?" not in response.content.decode()


def test_the_chinese_page_shows_the_cards(client, admin_user, world):
    client.force_login(admin_user)
    response = client.get("/programs/BJ-LHASA/?date_after=2024-01-01&date_before=2024-12-31",
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert _cards(response)  # the labels are translated once the catalogue has them
    assert response.context["summary"]["surgeries"]["total"] == 4


def test_a_remote_program_without_twinned_surgeries_shows_no_empty_share(client, admin_user, world):
    from tests.factories import TwinningFactory, specialty

    remote = ProgramFactory(code="BJ-LHASA-RS", kind="remote_support", donor_region=world.beijing,
                            recipient_hospital=world.lhasa_peoples, start_date=D(2024, 1, 1))
    TwinningFactory(program=remote, specialty=specialty("cardiology"), donor_hospital=world.bj_friendship,
                    start_date=D(2024, 1, 1))
    client.force_login(admin_user)
    labels = [c["label"] for c in client.get("/programs/BJ-LHASA-RS/").context["cards"]]
    assert labels[0] == "Consultations" and "Twinned departments" in labels
    assert "Led by local surgeons alone" not in labels


def test_the_download_holds_the_cards_of_the_period(client, admin_user, world):
    client.force_login(admin_user)
    response = client.get("/programs/BJ-LHASA/figures.csv?date_after=2024-01-01&date_before=2024-12-31")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "2024-01-01" in text
    lines = text.splitlines()
    assert "Figures,Surgeries at the recipient hospital,,4" in lines
    assert "Figures,Surgeries at the recipient hospital,local surgeon alone,2" in lines
    assert "Figures,Led by local surgeons alone,,50.0" in lines
    assert "Figures,Expert-days,,70" in lines


def test_a_year_is_compared_with_the_year_before_each_earlier_figure_linked(client, admin_user, world):
    client.force_login(admin_user)
    response = client.get("/programs/BJ-LHASA/?date_after=2024-01-01&date_before=2024-12-31")
    assert response.context["earlier_period"].label() == "2023"
    assert "2024 vs 2023" in response.content.decode()
    compared = [c for c in response.context["cards"] if c.get("earlier")]
    assert compared, "no card compared"
    for c in compared:
        e = c["earlier"]
        assert e["label"] == "2023"
        if e["url"] and not e["url"].startswith("/programs/") and not e["share"] and c["label"] not in (
            "Expert-days", "Led by local surgeons alone"
        ):
            assert "2023-01-01" in e["url"] and "2023-12-31" in e["url"]
            assert _count_of(client, e["url"]) == e["value"], (c["label"], e["url"])


def test_all_time_has_no_comparison(client, admin_user, world):
    client.force_login(admin_user)
    response = client.get("/programs/BJ-LHASA/")
    assert response.context["earlier_period"] is None
    assert not any(c.get("earlier") for c in response.context["cards"])
