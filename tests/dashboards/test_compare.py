"""This period against the last (issue 19, item 1): the region and donor
dashboards show under each figure the same figure of the comparable period
just before (Period.previous), with the change, each linked to its rows;
the API gives it on request (?compare=previous) beside the spec's keys.

The world is small and its figures derived by hand: at Lhasa People's
Hospital (Tibet, Beijing's program), surgeries by Beijing's team

    2023-03-10 local, 2023-11-20 joint
    2024-02-10 local, 2024-05-05 local, 2024-05-20 local, 2024-06-30 visiting

techniques introduced 2023-05-01 (one) and 2024-05-01 (three), and two
trainees mentored in 2024 only."""

import datetime as dt
import re
from html import unescape

import pytest

from aidtracker.lib.periods import Period
from figures.donor import earlier_donor_figures
from figures.series import earlier_region_figures
from figures.summary import donor_summary, region_summary
from tests import factories as f
from tests.dashboards.test_pages import _count_of

pytestmark = pytest.mark.django_db

YEAR_2024 = "?date_after=2024-01-01&date_before=2024-12-31"
Y2023, Y2024 = Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31)), Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.fixture
def small(world):
    team = f.TeamFactory(program=world.bj_lhasa, start_date=dt.date(2023, 1, 1), end_date=dt.date(2024, 12, 31))
    for day, lead in [
        (dt.date(2023, 3, 10), "local"), (dt.date(2023, 11, 20), "joint"),
        (dt.date(2024, 2, 10), "local"), (dt.date(2024, 5, 5), "local"),
        (dt.date(2024, 5, 20), "local"), (dt.date(2024, 6, 30), "visiting"),
    ]:
        f.SurgeryFactory(hospital=world.lhasa_peoples, date=day, lead=lead, team=team)
    f.TechniqueFactory(hospital=world.lhasa_peoples, introduced_on=dt.date(2023, 5, 1), program=world.bj_lhasa)
    for _ in range(3):
        f.TechniqueFactory(hospital=world.lhasa_peoples, introduced_on=dt.date(2024, 5, 1), program=world.bj_lhasa)
    for _ in range(2):
        f.TrainingFactory(trainee=f.TraineeFactory(hospital=world.lhasa_peoples), program=world.bj_lhasa,
                          start_date=dt.date(2024, 3, 1), end_date=dt.date(2024, 8, 31))
    return world


def cards_of(response) -> dict:
    return {str(card["label"]): card for card in response.context["cards"]}


def earlier_line(response, label) -> str:
    """The text of the comparison line under the card `label`, as shown."""
    html = response.content.decode()
    item = re.search(
        r'<p class="card__label">' + re.escape(label) + r"</p>(.*?)</li>", html, re.S
    ).group(1)
    line = re.search(r'<p class="card__earlier">(.*?)</p>', item, re.S)
    return unescape(re.sub(r"<[^>]+>", "", line.group(1))) if line else None


# --------------------------------------------------------------------------
# The figures of the earlier period


def test_the_earlier_figures_are_the_summary_of_the_year_before(small):
    earlier = earlier_region_figures(small.tibet, Y2024)
    assert earlier["period"] == Y2023
    assert earlier["summary"] == region_summary(small.tibet, Y2023)
    surgeries = earlier["summary"]["surgeries"]
    assert surgeries["total"] == 2 and surgeries["by_lead"] == {"visiting": 0, "joint": 1, "local": 1}
    assert earlier["summary"]["techniques"]["total"] == 1
    assert earlier["summary"]["trainees"]["total"] == 0
    assert earlier["twinned"] is None


def test_a_quarter_is_compared_with_the_quarter_before_and_days_with_as_many_days(small):
    quarter = earlier_region_figures(small.tibet, Period(dt.date(2024, 4, 1), dt.date(2024, 6, 30)))
    assert quarter["period"] == Period(dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert quarter["summary"]["surgeries"]["total"] == 1  # 2024-02-10
    # 6 to 20 May (15 days) against 21 April to 5 May: 5 May is the earlier period's.
    days = earlier_region_figures(small.tibet, Period(dt.date(2024, 5, 6), dt.date(2024, 5, 20)))
    assert days["period"] == Period(dt.date(2024, 4, 21), dt.date(2024, 5, 5))
    assert days["summary"]["surgeries"]["by_lead"]["local"] == 1
    assert region_summary(small.tibet, Period(dt.date(2024, 5, 6), dt.date(2024, 5, 20)))["surgeries"]["total"] == 1


def test_an_open_period_has_no_earlier_figures(small):
    assert earlier_region_figures(small.tibet, Period()) is None
    assert earlier_region_figures(small.tibet, Period(dt.date(2024, 1, 1), None)) is None
    assert earlier_donor_figures(small.beijing, Period(None, dt.date(2024, 12, 31))) is None


def test_a_donor_filter_narrows_the_earlier_figures_as_the_current_ones(small):
    earlier = earlier_region_figures(small.tibet, Y2024, donor="310000")
    assert earlier["summary"] == region_summary(small.tibet, Y2023, donor="310000")
    assert earlier["summary"]["surgeries"]["total"] == 0
    assert earlier["twinned"]["total"] == 0


def test_the_donors_earlier_figures_are_its_summary_of_the_year_before(small):
    earlier = earlier_donor_figures(small.beijing, Y2024)
    assert earlier == {"period": Y2023, "summary": donor_summary(small.beijing, Y2023)}
    assert earlier["summary"]["surgeries"]["total"] == 2


# --------------------------------------------------------------------------
# The region dashboard


def test_the_region_dashboard_shows_2024_vs_2023_with_the_change(signed_in, small):
    response = signed_in.get("/regions/540000/" + YEAR_2024)
    html = response.content.decode()
    assert "2024 vs 2023" in re.search(r'id="compare-note">(.*?)</p>', html).group(1)
    assert earlier_line(response, "Surgeries") == "2023: 2 · +2 (+100.0 %)"
    assert earlier_line(response, "New techniques") == "2023: 1 · +2 (+200.0 %)"
    # A share changes in percentage points: 75.0 % against 50.0 %.
    assert earlier_line(response, "Led by local surgeons alone") == "2023: 50.0 % · +25.0 pp"
    # No earlier data: said so, no percentage of zero.
    assert earlier_line(response, "Trainees") == "no data for 2023"
    assert earlier_line(response, "Programs") == "2023: 2 · ±0 (±0.0 %)"


def test_each_earlier_figure_links_to_the_same_list_for_the_earlier_dates(signed_in, small):
    response = signed_in.get("/regions/540000/" + YEAR_2024)
    cards = cards_of(response)
    surgeries = cards["Surgeries"]["earlier"]
    assert surgeries["url"] == "/surgeries/?region=540000&date_after=2023-01-01&date_before=2023-12-31"
    checked = 0
    for card in cards.values():
        earlier = card["earlier"]
        if earlier["url"] and not card["share"] and card["label"] != "Expert-days":
            if "#" in earlier["url"]:
                assert earlier["url"].startswith("/regions/540000/?date_after=2023-01-01&date_before=2023-12-31#")
                continue
            assert _count_of(signed_in, earlier["url"]) == (earlier["value"] or 0), card["label"]
            checked += 1
    assert checked >= 7
    # The share links to the local-led surgeries of 2023: one.
    assert _count_of(signed_in, cards["Led by local surgeons alone"]["earlier"]["url"]) == 1


def test_the_earlier_figure_in_the_page_links_to_its_rows(signed_in, small):
    html = signed_in.get("/regions/540000/" + YEAR_2024).content.decode()
    assert ('2023: <a href="/surgeries/?region=540000&amp;date_after=2023-01-01&amp;date_before=2023-12-31">2</a>'
            in html)


def part_line(response, card_label, part_label) -> str:
    """The text of the part `part_label` of the card `card_label`, as shown."""
    html = response.content.decode()
    item = re.search(
        r'<p class="card__label">' + re.escape(card_label) + r"</p>(.*?)</ul>", html, re.S
    ).group(1)
    line = re.search(r"<li><span>" + re.escape(part_label) + r"</span>(.*?)</li>", item, re.S).group(1)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", line)).split())


def test_each_part_of_a_figure_shows_the_earlier_period_too(signed_in, small):
    response = signed_in.get("/regions/540000/" + YEAR_2024)
    # 2024: local 3, joint 0, visiting 1; 2023: local 1, joint 1, visiting 0.
    assert part_line(response, "Surgeries", "local surgeon alone") == "3 (2023: 1, +2)"
    assert part_line(response, "Surgeries", "jointly") == "0 (2023: 1, −1)"
    assert part_line(response, "Surgeries", "visiting expert") == "1 (2023: 0)"  # no earlier data: no change
    assert part_line(response, "New techniques", "first in region") == "0 (2023: 0)"
    # Each earlier part links to its rows for 2023.
    surgeries = cards_of(response)["Surgeries"]
    for part in surgeries["parts"]:
        assert "date_after=2023-01-01&date_before=2023-12-31" in part["earlier"]["url"]
        assert _count_of(signed_in, part["earlier"]["url"]) == part["earlier"]["value"], part["label"]


def test_the_donor_dashboards_parts_are_compared(signed_in, small):
    response = signed_in.get("/donors/110000/" + YEAR_2024)
    parts = cards_of(response)["Surgeries with its teams"]["parts"]
    local = next(p for p in parts if p["label"] == "local surgeon alone")
    assert (local["value"], local["earlier"]["value"], local["earlier"]["change"]) == (3, 1, 2)


def test_all_time_and_open_periods_show_no_comparison(signed_in, small):
    response = signed_in.get("/regions/540000/")
    assert "card__earlier" not in response.content.decode()
    assert "compare-note" not in response.content.decode()
    response = signed_in.get("/regions/540000/?date_after=2024-01-01")
    html = response.content.decode()
    assert "card__earlier" not in html
    assert "give both dates of the period" in html


def test_no_earlier_data_at_all(signed_in, world):
    f.SurgeryFactory(hospital=world.lhasa_peoples, date=dt.date(2016, 3, 1), lead="local")
    response = signed_in.get("/regions/540000/?date_after=2016-01-01&date_before=2016-12-31")
    assert earlier_line(response, "Surgeries") == "no data for 2015"
    assert earlier_line(response, "Led by local surgeons alone") == "no data for 2015"
    assert "%" not in earlier_line(response, "Surgeries")


def test_a_share_of_nought_is_data_and_changes_in_points(signed_in, world):
    f.SurgeryFactory(hospital=world.lhasa_peoples, date=dt.date(2023, 3, 1), lead="joint")
    f.SurgeryFactory(hospital=world.lhasa_peoples, date=dt.date(2024, 3, 1), lead="local")
    response = signed_in.get("/regions/540000/" + YEAR_2024)
    assert earlier_line(response, "Led by local surgeons alone") == "2023: 0.0 % · +100.0 pp"
    assert earlier_line(response, "Surgeries") == "2023: 1 · ±0 (±0.0 %)"


def test_a_viewer_sees_the_comparison_without_links_to_lists(client, viewer, small):
    client.force_login(viewer)
    response = client.get("/regions/540000/" + YEAR_2024)
    assert earlier_line(response, "Surgeries") == "2023: 2 · +2 (+100.0 %)"
    assert cards_of(response)["Surgeries"]["earlier"]["url"] is None
    assert "/surgeries/?" not in response.content.decode()


def test_the_region_dashboard_in_chinese_keeps_the_comparison(signed_in, small):
    response = signed_in.get("/regions/540000/" + YEAR_2024, HTTP_ACCEPT_LANGUAGE="zh-CN")
    html = response.content.decode()
    assert "2023: " in html and "+2 (+100.0 %)" in html


# --------------------------------------------------------------------------
# The donor dashboard


def test_the_donor_dashboard_shows_2024_vs_2023(signed_in, small):
    response = signed_in.get("/donors/110000/" + YEAR_2024)
    html = response.content.decode()
    assert "2024 vs 2023" in html
    assert earlier_line(response, "Surgeries with its teams") == "2023: 2 · +2 (+100.0 %)"
    assert earlier_line(response, "Trainees") == "no data for 2023"
    url = cards_of(response)["Surgeries with its teams"]["earlier"]["url"]
    assert "date_after=2023-01-01" in url and "date_before=2023-12-31" in url and "donor=110000" in url
    assert _count_of(signed_in, url) == 2


def test_a_half_of_the_year_against_the_half_before(signed_in, small):
    response = signed_in.get("/donors/110000/?date_after=2024-01-01&date_before=2024-06-30")
    assert "2024-01–06 vs 2023-07–12" in response.content.decode()
    assert earlier_line(response, "Surgeries with its teams") == "2023-07–12: 1 · +3 (+300.0 %)"


# --------------------------------------------------------------------------
# The API


def test_the_api_gives_the_previous_period_on_request(signed_in, small):
    body = signed_in.get("/api/v1/regions/540000/summary?from=2024-01-01&to=2024-12-31&compare=previous").json()
    previous = body.pop("previous")
    assert body == region_summary(small.tibet, Y2024)  # the spec's keys, unchanged
    assert previous == {"period": {"from": "2023-01-01", "to": "2023-12-31"},
                        "summary": region_summary(small.tibet, Y2023)}
    assert previous["summary"]["surgeries"]["total"] == 2
    # Without the parameter: the spec's summary alone.
    plain = signed_in.get("/api/v1/regions/540000/summary?from=2024-01-01&to=2024-12-31").json()
    assert "previous" not in plain


def test_the_donor_api_gives_the_previous_period_on_request(signed_in, small):
    body = signed_in.get("/api/v1/donors/110000/summary?from=2024-04-01&to=2024-06-30&compare=previous").json()
    assert body["previous"]["period"] == {"from": "2024-01-01", "to": "2024-03-31"}
    assert body["previous"]["summary"] == donor_summary(small.beijing, Period(dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    assert (body["surgeries"]["total"], body["previous"]["summary"]["surgeries"]["total"]) == (3, 1)


def test_the_api_has_no_previous_for_an_open_period(signed_in, small):
    body = signed_in.get("/api/v1/regions/540000/summary?compare=previous").json()
    assert body["previous"] is None


def test_the_api_names_a_bad_comparison(signed_in, small):
    response = signed_in.get("/api/v1/regions/540000/summary?compare=last-year")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "'compare'" in error and "last-year" in error and "compare=previous" in error
