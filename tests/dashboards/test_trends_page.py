"""The region dashboard's trends as a reader sees them: the grouping, the
partial point named under its chart and in its table, safety by who led
with links to its surgeries, in the download and the JSON API."""

import datetime as dt
import json

import pytest

from aidtracker.lib.periods import Period
from dashboards import views
from figures.series import region_dashboard

TODAY = dt.date(2024, 7, 10)


@pytest.fixture
def on_10_july(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: TODAY)


def test_the_current_month_is_named_partial_under_its_chart_and_in_its_table(signed_in, dash, on_10_july):
    response = signed_in.get("/regions/540000/?date_after=2024-01-01&date_before=2024-12-31")
    html = response.content.decode()
    assert response.context["grouping"] == "month"
    surgeries = response.context["charts"][0]
    assert surgeries["spec"]["partial"] == [False] * 6 + [True] * 6
    assert surgeries["partial_notes"] == [
        "2024-07: partial, up to 2024-07-10",
        "2024-08 to 2024-12: not begun on 2024-07-10, no data yet",
    ]
    assert surgeries["table"]["rows"][6][0] == "2024-07 (partial)"
    assert "2024-07: partial, up to 2024-07-10" in html and "chart__partial-mark" in html
    # The skills-transfer chart beside it, with the rolling and grade 3-4 lines.
    skills = response.context["charts"][1]
    assert skills["id"] == "chart-skills" and len(skills["spec"]["datasets"]) == 4


def test_longer_than_three_years_by_quarter_all_time_by_year(signed_in, dash, on_10_july, monkeypatch):
    five = signed_in.get("/regions/540000/?date_after=2019-07-11&date_before=2024-07-10")
    labels = five.context["charts"][0]["spec"]["labels"]
    assert five.context["grouping"] == "quarter" and labels[0] == "2019-Q3" and labels[-1] == "2024-Q3"
    assert five.context["charts"][0]["partial_notes"] == [
        "2019-Q3: partial, from 2019-07-11", "2024-Q3: partial, up to 2024-07-10"]
    # All time, on the last day of the data (an open end stops with today's month).
    monkeypatch.setattr(views, "today", lambda: dt.date(2024, 12, 31))
    always = signed_in.get("/regions/540000/")
    assert always.context["grouping"] == "year"
    assert always.context["charts"][0]["spec"]["labels"][-1] == "2024"
    # The charts add up to the cards: all time, every surgery.
    points = always.context["charts"][0]["table"]["rows"]
    assert sum(row[4] for row in points) == always.context["summary"]["surgeries"]["total"]


def test_a_period_from_the_calendars_first_day_charts_fifty_years_by_year(signed_in, dash, on_10_july):
    always = signed_in.get("/regions/540000/")
    typed = signed_in.get("/regions/540000/?date_after=0001-01-01")
    labels = typed.context["charts"][0]["spec"]["labels"]
    assert typed.context["grouping"] == "year" and (labels[0], labels[-1], len(labels)) == ("1975", "2024", 50)
    # The cards count every record of the period, as "all time" does.
    assert typed.context["summary"]["surgeries"] == always.context["summary"]["surgeries"]
    # Fifty years of charts and tables: some 200 KB (two thousand years: 12 MB).
    assert len(typed.content) < 300_000
    widest = signed_in.get("/regions/540000/?date_after=0001-01-01&date_before=9999-12-31")
    assert len(widest.context["charts"][0]["spec"]["labels"]) == 51 and len(widest.content) < 300_000
    # The brief of those years too: one page of years, not two thousand.
    brief = signed_in.get("/regions/540000/report/?date_after=0001-01-01&date_before=9999-12-31")
    assert brief.status_code == 200 and len(brief.content) < 400_000


def test_safety_by_who_led_links_each_count_to_its_surgeries(signed_in, dash, on_10_july):
    response = signed_in.get("/regions/540000/?date_after=2024-01-01&date_before=2024-12-31")
    safety = response.context["safety"]
    figures = region_dashboard(dash.tibet, Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), today=TODAY)
    by_lead = figures["summary"]["surgeries"]["by_lead"]
    assert {row["lead"]: row["surgeries"] for row in safety["rows"]} == by_lead
    visiting = safety["rows"][0]
    assert visiting["complications_url"] == (
        "/surgeries/?region=540000&date_after=2024-01-01&date_before=2024-12-31&lead=visiting&outcome=complication"
    )
    # The list behind the link counts what the table says.
    listed = signed_in.get(visiting["complications_url"])
    assert listed.context["page_obj"].paginator.count == visiting["complications"]
    for row in safety["rows"]:
        assert row["complication_rate"] == ("–" if not row["surgeries"] else
                                            f"{100 * row['complications'] / row['surgeries']:.1f} %")
    html = response.content.decode()
    assert "Safety by who led" in html and "outcome=death" in html
    assert [year["caption"] for year in safety["per_year"]] == ["2024 (partial, up to 2024-07-10)"]


def test_the_download_and_the_api_hold_the_series_and_safety(signed_in, dash, on_10_july):
    csv = signed_in.get("/regions/540000/figures.csv?date_after=2024-01-01&date_before=2024-12-31")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Safety by who led" in text and "Complication rate (%)" in text
    assert "2024-07 (partial)" in text
    answer = json.loads(signed_in.get("/api/v1/regions/540000/series?from=2024-01-01&to=2024-12-31").content)
    assert list(answer) == ["region", "period", "charts", "safety", "twinned_per_month"]
    charts = answer["charts"]
    assert charts["grouping"] == "month"
    first = charts["surgeries_per_month"][0]
    assert {"month", "label", "from", "to", "partial", "through", "visiting", "joint", "local", "total",
            "local_share_percent", "rolling_local_share_percent", "grade_3_4_local_share_percent"} <= set(first)
    assert set(answer["safety"]["by_lead"]) == {"visiting", "joint", "local"}
    assert json.loads(signed_in.get("/api/v1/regions/540000/series?from=2024-13-01").content)["error"]


def test_the_donor_and_program_pages_show_safety_by_who_led_with_links(signed_in, dash):
    """The donor's safety counts the surgeries of the departments it twins
    (whoever led them: its skills-transfer scope, as its share card); the
    program's, those at its recipient hospital. Every count opens a list
    that counts as many rows."""
    from tests.dashboards.test_pages import _count_of

    year = "?date_after=2024-01-01&date_before=2024-12-31"
    donor = signed_in.get("/donors/110000/" + year)
    safety = donor.context["safety"]
    twinned = donor.context["summary"]["twinned_department_surgeries"]
    assert {row["lead"]: row["surgeries"] for row in safety["rows"]} == twinned["by_lead"]
    assert "the departments Beijing twins" in donor.content.decode()
    program = signed_in.get("/programs/BJ-LHASA/" + year)
    at_hospital = program.context["summary"]["surgeries"]["by_lead"]
    assert {row["lead"]: row["surgeries"] for row in program.context["safety"]["rows"]} == at_hospital
    assert "Safety by who led" in program.content.decode()
    for page in (donor, program):
        for row in page.context["safety"]["rows"]:
            for figure in ("surgeries", "complications", "deaths"):
                assert _count_of(signed_in, row[f"{figure}_url"]) == row[figure], (page.request["PATH_INFO"], row)
