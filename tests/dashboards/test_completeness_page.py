"""The completeness pages (/regions/<code>/completeness/,
/programs/<code>/completeness/ and their CSV) on the hand-counted world of
tests/figures/test_completeness.py, built around today's last full month:
the numbers are that module's."""

import datetime as dt
import re
from html import unescape

import pytest
from django.utils import timezone

from aidtracker.lib.periods import month_end
from figures.completeness import last_full_month
from tests.conftest import _make_user
from tests.figures.test_completeness import build

REGION = "/regions/540000/completeness/"
PROGRAM = "/programs/BJ-LHASA/completeness/"


@pytest.fixture
def months(world):
    return build(world, last_full_month(timezone.localdate()))[0]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def rows_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["totals"]["rows"]


def test_an_official_reads_tibets_rates_as_hand_counted(client, official, months):
    client.force_login(official)
    html = page(client, REGION)
    grid = response_grid(html)
    # Rows by hospital name; the last 12 full months, M1..M4 the last four.
    assert list(grid) == ["Lhasa People's Hospital", "Pulan County People's Hospital", "Xigaze People's Hospital"]
    assert grid["Lhasa People's Hospital"][-4:] == ["100 %", "33 %", "0 %", "67 %"]
    assert grid["Pulan County People's Hospital"][-4:] == ["·", "·", "0 %", "100 %"]
    assert grid["Xigaze People's Hospital"][-4:] == ["0 %"] * 4
    # Earlier months of the 12: Lhasa expected 3, reported nothing.
    assert grid["Lhasa People's Hospital"][:8] == ["0 %"] * 8
    assert "3 of 3 reports" in html and "1 of 3 reports" in html
    # The all-hospitals row: 3/10, 1/10, 0/11, 3/11.
    assert re.search(r"30 %\s*<span class=\"rate__logs\">3 / 10</span>", html)
    assert re.search(r"27 %\s*<span class=\"rate__logs\">3 / 11</span>", html)
    # The band is written as text too (the rate), and named in the legend.
    assert 'class="rate rate--complete"' in html and "every expected report" in html


def response_grid(html):
    """{hospital name: [each month's cell text]} of the completeness table."""
    body = html.split('<table class="data completeness">')[1].split("</tbody>")[0].split("<tbody>")[1]
    grid = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        name = unescape(re.search(r'<th scope="row"><a [^>]*>([^<]*)</a>', row).group(1))
        cells = re.findall(r'<td class="rate rate--(?:complete|partial|low|none|na)">\s*(?:<a [^>]*>)?([^<]*)', row)
        grid[name] = [c.strip() for c in cells]
    return grid


def test_each_cell_links_to_its_rows(client, official, months):
    client.force_login(official)
    html = page(client, REGION)
    m1 = months[0]
    surgeries = (f'/surgeries/?hospital=LS-PEOPLES&amp;date_after={m1:%Y-%m-%d}'
                 f'&amp;date_before={month_end(m1):%Y-%m-%d}')
    assert surgeries in html
    assert rows_of(client, unescape(surgeries)) == 2
    m2 = months[1]
    trainings = (f'/trainings/?hospital=LS-PEOPLES&amp;started_after={m2:%Y-%m-%d}'
                 f'&amp;started_before={month_end(m2):%Y-%m-%d}')
    assert trainings in html
    assert rows_of(client, unescape(trainings)) == 1
    # M1's training list: the training begun the month before runs through M1 but is not M1's.
    assert rows_of(client, f"/trainings/?hospital=LS-PEOPLES&started_after={m1}&started_before={month_end(m1)}") == 0
    # An official does not enter indicators: the rate leads to the month in the hospital page's table.
    assert f'href="/hospitals/LS-PEOPLES/#indicators-{m1:%Y-%m}"' in html
    assert f'id="indicators-{m1:%Y-%m}"' in page(client, "/hospitals/LS-PEOPLES/")


def test_a_coordinator_reads_their_program_and_its_rates_open_the_indicator_form(client, coordinator, months):
    client.force_login(coordinator)
    html = page(client, PROGRAM)
    assert list(response_grid(html)) == ["Lhasa People's Hospital"]
    m1 = months[0]
    assert f'href="/hospitals/LS-PEOPLES/indicators/?month={m1:%Y-%m}"' in html
    # The program's warnings: its team's surgery before its dates and at Xigaze, its rotation past the team's end.
    assert "S-EARLY" in html and "S-XIGAZE" in html
    assert "was not in the field on" in html and "works at Lhasa People" in html
    assert "lies outside the dates of its team BJ-LHASA-1" in html
    # Linked from the coordinator's home and the program page.
    assert f'href="{PROGRAM}"' in page(client, "/")
    assert f'href="{PROGRAM}"' in page(client, "/programs/BJ-LHASA/")


def test_the_region_dashboard_links_to_it(client, official, months):
    client.force_login(official)
    assert f'href="{REGION}"' in page(client, "/regions/540000/")


def test_a_year_shows_that_years_months_and_a_bad_period_is_named(client, official, months):
    client.force_login(official)
    year = months[-1].year
    html = page(client, f"{REGION}?period={year}")
    assert f"<th scope=\"col\" class=\"num\">{year}-01</th>" in html
    assert f"{year + 1}-01</th>" not in html
    html = page(client, f"{REGION}?period=forever")
    assert "Select a valid choice. forever is not one of the available choices." in html
    assert "Lhasa People" in html  # the default months, still shown


def test_the_csv_has_a_byte_order_mark_and_a_row_per_hospital_and_month(client, official, months):
    client.force_login(official)
    response = client.get("/regions/540000/completeness.csv?period=all")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="completeness-540000.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text[1:].splitlines()
    assert lines[0] == ("hospital_code,hospital_name,hospital_name_zh,month,expected_reports,"
                        "actual_reports,reporting_rate_percent,surgeries,trainings")
    m1, m4 = months[0], months[-1]
    assert f"LS-PEOPLES,Lhasa People's Hospital,拉萨市人民医院,{m1:%Y-%m},3,3,100.0,2,0" in lines
    assert f"PL-COUNTY,Pulan County People's Hospital,普兰县人民医院,{m4:%Y-%m},1,1,100.0,0,0" in lines
    # Every month since each hospital's first program: Lhasa from 2015-08, Xigaze from 2016-07, Pulan 2.
    def count(first):
        return (m4.year - first.year) * 12 + m4.month - first.month + 1
    assert len(lines) - 1 == count(dt.date(2015, 8, 1)) + count(dt.date(2016, 7, 1)) + 2


def test_access_follows_the_region_and_program_pages(client, world, viewer, official, django_user_model, months):
    client.force_login(viewer)
    assert client.get(REGION).status_code == 403  # the cells open lists: not for viewers
    client.force_login(official)  # Tibet
    assert client.get("/regions/650000/completeness/").status_code == 404
    assert client.get("/regions/650000/completeness.csv").status_code == 404
    xinjiang = _make_user(django_user_model, "xj", "official", regions=[world.xinjiang])
    client.force_login(xinjiang)
    assert client.get(PROGRAM).status_code == 404
    assert client.get("/programs/BJ-LHASA/completeness.csv").status_code == 404


def test_a_donor_provinces_reader_does_not_read_the_recipients_completeness(client, world, django_user_model, months):
    # An official of Beijing reads BJ-LHASA (its program), not Lhasa's indicators or its other surgeries.
    beijing = _make_user(django_user_model, "bj", "official", regions=[world.beijing])
    client.force_login(beijing)
    assert client.get("/programs/BJ-LHASA/").status_code == 200
    assert PROGRAM not in page(client, "/programs/BJ-LHASA/")
    assert client.get(PROGRAM).status_code == 404
    assert client.get("/programs/BJ-LHASA/completeness.csv").status_code == 404
