"""A dashboard's figures to take away (dashboards/downloads.py): .xlsx and
CSV of the region, donor, program and hospital pages, with the page's
filters; the same figures as the page's cards and the summary; API tokens;
the byte-order mark of every CSV."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import ApiToken
from aidtracker.lib.periods import Period
from dashboards.views import region_cards
from figures.summary import region_summary
from outcomes.models import Surgery
from tests.conftest import _make_user
from tests.dashboards.data import add_indicators

BOM = "\ufeff".encode()
PERIOD = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
YEAR = {"date_after": "2024-01-01", "date_before": "2024-12-31"}


def bearer(clear):
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def workbook_of(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def csv_of(response):
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def figures_rows(sheet):
    """{(figure, part): value} of a figures sheet, from its header row on."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[:3] == ("Figure", "Part", "Value"))
    return {(r[0], r[1] or ""): r[2] for r in rows[start + 1:] if r[0]}


def test_region_xlsx_holds_the_pages_cards_and_the_summary(dash, signed_in):
    url = reverse("dashboards:region_figures", args=["540000", "xlsx"])
    book = workbook_of(signed_in.get(url, YEAR))
    figures = figures_rows(book["Figures"])
    summary = region_summary("540000", PERIOD)
    cards = region_cards(summary, {})
    assert figures[("Surgeries", "")] == summary["surgeries"]["total"] == 30
    assert figures[("Surgeries", "local surgeon alone")] == summary["surgeries"]["by_lead"]["local"]
    assert figures[("Experts", "")] == summary["experts"]
    assert figures[("Expert-days", "")] == summary["expert_days"]
    assert figures[("Trainees", "")] == summary["trainees"]["total"]
    share = figures[("Led by local surgeons alone", "")]
    assert isinstance(share, (int, float))
    assert share == round(100 * summary["surgeries"]["by_lead"]["local"] / summary["surgeries"]["total"], 1)
    # Every card and every part of a card, in the page's order.
    expected = {}
    for c in cards:
        expected[(c["label"], "")] = c["number"]
        expected.update({(c["label"], p["label"]): p["value"] for p in c["parts"]})
    assert figures == expected
    # The filters and the series: one sheet per chart, numbers as numbers.
    head = [row for row in book["Figures"].iter_rows(max_row=4, values_only=True)]
    assert head[0][0] == "Tibet (540000)" or "540000" in head[0][0]
    assert ("Period", "2024-01-01 – 2024-12-31") in [r[:2] for r in head]
    surgeries = book["Surgeries per month, by who led"]
    rows = list(surgeries.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 12 and rows[0][0] == "2024-01"
    assert sum(r[4] for r in rows) == 30
    assert all(isinstance(v, int) for r in rows for v in r[1:5])
    assert "Donor breakdown" in book.sheetnames


def test_region_csv_has_a_bom_the_filters_and_the_same_figures(dash, signed_in):
    url = reverse("dashboards:region_figures", args=["540000", "csv"])
    response = signed_in.get(url, {**YEAR, "specialty": "general_surgery"})
    assert response["Content-Disposition"] == 'attachment; filename="figures-540000.csv"'
    rows = csv_of(response)
    assert rows[0] == ["Table", "Row", "Column", "Value"]
    assert ["Filters", "Specialty", "", "General surgery"] in rows or any(
        r[:2] == ["Filters", "Specialty"] and r[3] != "all" for r in rows)
    summary = region_summary("540000", PERIOD, specialty="general_surgery")
    figures = {(r[1], r[2]): r[3] for r in rows if r[0] == "Figures"}
    assert figures[("Surgeries", "")] == str(summary["surgeries"]["total"])
    assert figures[("Experts", "")] == str(summary["experts"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_dashboard_offers_its_figures(fmt, dash, signed_in):
    add_indicators(dash.lhasa_peoples, 24, dt.date(2023, 1, 1), {"outpatient_visits": 10})
    urls = [
        reverse("dashboards:region_figures", args=["540000", fmt]),
        reverse("dashboards:donor_figures", args=["110000", fmt]),
        reverse("dashboards:program_figures", args=[dash.bj_lhasa.code, fmt]),
        reverse("dashboards:hospital_figures", args=[dash.lhasa_peoples.code, fmt]),
        reverse("dashboards:hospital_figures", args=[dash.bj_friendship.code, fmt]),
    ]
    for url in urls:
        response = signed_in.get(url, YEAR)
        assert response.status_code == 200, url
        assert f".{fmt}\"" in response["Content-Disposition"]


def test_the_pages_link_their_downloads_with_their_filters(dash, signed_in):
    page = signed_in.get(reverse("dashboards:region", args=["540000"]), YEAR).content.decode()
    assert 'href="/regions/540000/figures.xlsx?date_after=2024-01-01&amp;date_before=2024-12-31"' in page
    assert 'href="/regions/540000/figures.csv?date_after=2024-01-01&amp;date_before=2024-12-31"' in page
    for name, code in [("dashboards:donor", "110000"), ("dashboards:program", dash.bj_lhasa.code),
                       ("dashboards:hospital", dash.lhasa_peoples.code)]:
        page = signed_in.get(reverse(name, args=[code])).content.decode()
        assert "figures.xlsx" in page and "figures.csv" in page, name


def test_donor_xlsx_equals_its_cards(dash, signed_in):
    from dashboards.donors import donor_cards
    from figures.summary import donor_summary

    book = workbook_of(signed_in.get(reverse("dashboards:donor_figures", args=["110000", "xlsx"]), YEAR))
    summary = donor_summary("110000", PERIOD)
    figures = figures_rows(book["Figures"])
    for c in donor_cards(summary, {}):
        assert figures[(c["label"], "")] == c["number"], c["label"]
    assert "Recipient regions" in book.sheetnames


def test_chinese_headers_for_a_chinese_reader(dash, signed_in):
    response = signed_in.get(reverse("dashboards:region_figures", args=["540000", "xlsx"]), YEAR,
                             HTTP_ACCEPT_LANGUAGE="zh-hans")
    book = workbook_of(response)
    sheet = book.worksheets[0]
    text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert "西藏" in text


# --- API tokens --------------------------------------------------------------


@pytest.fixture
def official(dash, django_user_model):
    """An official of Tibet (540000), in the dashboards' world."""
    return _make_user(django_user_model, "official", "official", regions=[dash.tibet])


@pytest.fixture
def viewer(dash, django_user_model):
    return _make_user(django_user_model, "viewer", "viewer", all_regions=True)


def test_a_token_reads_the_downloads_within_its_scope(dash, official, client):
    _t, clear = ApiToken.issue(user=official, name="my tool")
    ok = client.get(reverse("dashboards:region_figures", args=["540000", "csv"]), YEAR, **bearer(clear))
    assert ok.status_code == 200
    assert csv_of(ok)[0] == ["Table", "Row", "Column", "Value"]
    xlsx = client.get(reverse("dashboards:region_figures", args=["540000", "xlsx"]), **bearer(clear))
    assert workbook_of(xlsx).sheetnames[0] == "Figures"
    # Another region's figures: refused, as the page is.
    other = client.get(reverse("dashboards:region_figures", args=["650000", "xlsx"]), **bearer(clear))
    assert other.status_code == 404
    # A record list's CSV: the official's rows only.
    rows = csv_of(client.get(reverse("outcomes:surgery_list"), {"format": "csv"}, **bearer(clear)))
    tibet = Surgery.objects.visible_to(official)
    assert len(rows) == 1 + tibet.count() < 1 + Surgery.objects.count()
    assert {r[0] for r in rows[1:]} == set(tibet.values_list("ref", flat=True))


def test_a_token_opens_no_page_and_writes_nothing(dash, official, client):
    _t, clear = ApiToken.issue(user=official, name="my tool")
    page = client.get(reverse("dashboards:region", args=["540000"]), **bearer(clear))
    assert page.status_code == 302  # a page: sign in
    post = client.post(reverse("dashboards:region_figures", args=["540000", "csv"]), **bearer(clear))
    assert post.status_code == 302
    bad = client.get(reverse("dashboards:region_figures", args=["540000", "csv"]), **bearer("nope"))
    assert bad.status_code == 401


def test_a_viewer_token_gets_the_figures_but_no_record_list(dash, viewer, client):
    _t, clear = ApiToken.issue(user=viewer, name="t")
    assert client.get(reverse("dashboards:region_figures", args=["540000", "csv"]), **bearer(clear)).status_code == 200
    assert client.get(reverse("outcomes:surgery_list"), {"format": "csv"}, **bearer(clear)).status_code == 403


def test_hospital_xlsx_has_its_indicators_as_numbers(dash, signed_in):
    add_indicators(dash.lhasa_peoples, 24, dt.date(2023, 1, 1), {"outpatient_visits": 10})
    book = workbook_of(signed_in.get(reverse("dashboards:hospital_figures", args=[dash.lhasa_peoples.code, "xlsx"])))
    monthly = list(book["Monthly indicators"].iter_rows(min_row=2, values_only=True))
    assert monthly[0] == ("Month", "outpatient visits") or monthly[0][0] == "Month"
    assert len(monthly) == 1 + 24 and all(row[1] == 10 for row in monthly[1:])
    before_after = list(book["Before and after"].iter_rows(min_row=3, values_only=True))
    assert before_after[0][0] and before_after[0][4] == 120  # the latest 12 months, summed


def test_a_closed_periods_download_holds_the_earlier_period_and_the_change(dash, signed_in):
    """The page compares 2024 with 2023 under each figure and part; its
    download has the same: 2023's value, the change, the change in percent."""
    url = reverse("dashboards:region_figures", args=["540000", "xlsx"])
    book = workbook_of(signed_in.get(url, YEAR))
    rows = list(book["Figures"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[:3] == ("Figure", "Part", "Value"))
    assert rows[start] == ("Figure", "Part", "Value", "Value in 2023", "Change (count, or points for a share)",
                           "Change (%)", "Note")
    now = region_summary("540000", PERIOD)
    before = region_summary("540000", Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31)))
    by_key = {(r[0], r[1] or ""): r for r in rows[start + 1:] if r[0]}
    surgeries = by_key[("Surgeries", "")]
    assert surgeries[2:4] == (now["surgeries"]["total"], before["surgeries"]["total"])
    if before["surgeries"]["total"]:
        assert surgeries[4] == now["surgeries"]["total"] - before["surgeries"]["total"]
        assert surgeries[5] == round(100 * surgeries[4] / before["surgeries"]["total"], 1)
    else:
        assert surgeries[4:6] == (None, None)  # no earlier data: no change
    local = by_key[("Surgeries", "local surgeon alone")]
    assert local[2:4] == (now["surgeries"]["by_lead"]["local"], before["surgeries"]["by_lead"]["local"])
    # The CSV: the same values in tables of their own.
    csv_url = reverse("dashboards:region_figures", args=["540000", "csv"])
    lines = csv_of(signed_in.get(csv_url, YEAR))
    earlier = {(r[1], r[2]): r[3] for r in lines if r[0] == "Figures: Value in 2023"}
    assert earlier[("Surgeries", "")] == str(before["surgeries"]["total"])


def test_an_open_periods_download_has_no_earlier_columns(dash, signed_in):
    url = reverse("dashboards:region_figures", args=["540000", "xlsx"])
    rows = list(workbook_of(signed_in.get(url)).active.iter_rows(values_only=True))
    assert ("Figure", "Part", "Value", "Note") in rows


def test_the_program_download_names_each_figure_once(dash, signed_in):
    """The cards count what was active in the period ("Teams": batches
    active in it); the page's tables count the whole record: named apart."""
    url = reverse("dashboards:program_figures", args=["BJ-LHASA", "xlsx"])
    rows = list(workbook_of(signed_in.get(url, YEAR)).active.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[:3] == ("Figure", "Part", "Value"))
    figures = [r[0] for r in rows[start + 1:] if r[0] and not r[1]]
    assert len(figures) == len(set(figures)), figures
    assert "Teams" in figures and "All teams" in figures
