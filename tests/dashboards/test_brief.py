"""The printable brief (dashboards/briefs.py): its period and parameters,
its access (the dashboard's), its figures (the summary's, linked to their
rows), and its PDF (WeasyPrint): 2 to 4 A4 pages whose extracted text holds
the summary's figures and the earlier period's, in Chinese with CJK glyphs.
The first page of each PDF is kept as a PNG under test-artifacts/brief/."""

import datetime as dt
import html
import io
import os
import re
import shutil
import subprocess

import pytest
from django.core.cache import caches

from aidtracker.lib.periods import Period
from dashboards import briefs, indicators, pdf
from figures.summary import donor_summary, region_summary
from outcomes.models import IndicatorValue
from tests.conftest import _make_user
from tests.dashboards.data import add_indicators, build

YEAR = "?year=2024"


def pdf_text(content):
    """(number of pages, text of each page) of a PDF, read by pypdf."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


@pytest.fixture
def needs_weasyprint():
    if pdf.missing():
        pytest.skip("needs WeasyPrint and Pango (see README: the brief's PDF)")


def keep_first_page(artifacts_dir, name, content):
    folder = os.path.join(artifacts_dir, "brief")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.pdf")
    with open(path, "wb") as f:
        f.write(content)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", path, path[:-4]], check=True)


def number_in(text, n):
    return re.search(rf"(?<![\d,.]){re.escape(f'{n:,}')}(?![\d,])", text) is not None


# --------------------------------------------------------------------------
# The period and the parameters


@pytest.mark.parametrize(("query", "period"), [
    ({"year": "2024"}, Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))),
    ({"from": "2024-01-01", "to": "2024-06-30"}, Period(dt.date(2024, 1, 1), dt.date(2024, 6, 30))),
    ({"date_after": "2024-04-01", "date_before": "2024-04-30"}, Period(dt.date(2024, 4, 1), dt.date(2024, 4, 30))),
])
def test_the_period_is_a_year_or_two_dates(query, period):
    assert briefs.brief_period(query) == period


def test_without_a_period_the_brief_is_of_the_last_complete_year(monkeypatch):
    monkeypatch.setattr(briefs, "today", lambda: dt.date(2025, 3, 9))
    assert briefs.brief_period({}) == Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))


@pytest.mark.parametrize(("query", "message"), [
    ("?year=24", "'year': '24' is not a year"),
    ("?year=abcd", "is not a year"),
    ("?year=2024&from=2024-01-01", "either 'year' or 'from' and 'to'"),
    ("?from=2024-13-01&to=2024-12-31", "is not a date"),
    ("?from=2024-12-31&to=2024-01-01", "is after 'to'"),
    ("?year=2024&specialty=no_such_thing", "no_such_thing"),
])
def test_bad_parameters_give_a_clear_400(signed_in, dash, query, message):
    for url in ("/regions/540000/report/", "/regions/540000/report.pdf", "/donors/110000/report/",
                "/programs/BJ-LHASA/report/"):
        response = signed_in.get(url + query)
        assert response.status_code == 400, url
        assert message in html.unescape(response.content.decode()), url


def test_phrases_take_the_plural_their_number_needs():
    assert briefs.phrase("program", 1) == "1 program"
    assert briefs.phrase("program", 1234) == "1,234 programs"


# --------------------------------------------------------------------------
# The HTML version


def test_the_region_brief_states_the_summary_and_links_each_figure_to_its_rows(signed_in, dash):
    response = signed_in.get("/regions/540000/report/" + YEAR)
    html = response.content.decode()
    assert response.status_code == 200
    s = region_summary("540000", Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    headline = re.search(r'id="headline">([^<]*)<', html)[1]
    assert f"{s['experts']:,} expert" in headline and f"{s['expert_days']:,} expert-day" in headline
    assert f"{s['surgeries']['total']:,} surger" in headline
    assert "In 2024, " in headline
    # Each key figure links to the list of its rows for 2024, and to 2023's.
    table = html[html.index('id="key-figures"'):html.index("</table>", html.index('id="key-figures"'))]
    assert f'/surgeries/?region=540000&amp;date_after=2024-01-01&amp;date_before=2024-12-31">{s["surgeries"]["total"]}<' in table
    assert "date_after=2023-01-01&amp;date_before=2023-12-31" in table
    assert "no earlier data" in table  # the test world has no surgery in 2023
    assert 'id="brief-asof"' in html and "data version" in html
    # Three charts, drawn on the server: images, no script.
    assert html.count('src="data:image/svg+xml;base64,') == 3
    assert "<canvas" not in html[html.index('class="brief'):]
    # The before/after table links each hospital to its page.
    assert 'href="/hospitals/LS-PEOPLES/"' in html
    # Back to the dashboard, and the PDF.
    assert 'href="/regions/540000/?date_after=2024-01-01&amp;date_before=2024-12-31"' in html
    assert 'href="/regions/540000/report.pdf?year=2024"' in html


def test_the_dashboards_link_to_their_brief_for_their_period(signed_in, dash):
    html = signed_in.get("/regions/540000/?date_after=2024-01-01&date_before=2024-12-31").content.decode()
    assert 'href="/regions/540000/report/?year=2024" id="brief-link"' in html
    html = signed_in.get("/donors/110000/?date_after=2024-01-01&date_before=2024-06-30").content.decode()
    assert 'href="/donors/110000/report/?from=2024-01-01&amp;to=2024-06-30" id="brief-link"' in html
    html = signed_in.get("/programs/BJ-LHASA/").content.decode()
    assert 'href="/programs/BJ-LHASA/report/" id="brief-link"' in html


def test_the_donor_and_program_briefs(signed_in, dash):
    html = signed_in.get("/donors/110000/report/" + YEAR).content.decode()
    s = donor_summary("110000", Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert f"{s['experts']:,} expert" in re.search(r'id="headline">([^<]*)<', html)[1]
    assert 'id="recipients-title"' in html
    html = signed_in.get("/programs/BJ-LHASA/report/" + YEAR).content.decode()
    assert 'id="headline"' in html and html.count('src="data:image/svg+xml;base64,') == 3


def test_the_brief_has_the_dashboards_access(client, dash, django_user_model):
    tibet = _make_user(django_user_model, "t", "official", regions=["540000"])
    viewer = _make_user(django_user_model, "v", "viewer", all_regions=True)
    # Not signed in: the sign-in page.
    assert client.get("/regions/540000/report/" + YEAR).status_code == 302
    client.force_login(tibet)
    assert client.get("/regions/540000/report/" + YEAR).status_code == 200
    for url in ("/regions/650000/report/", "/regions/650000/report.pdf", "/donors/110000/report/",
                "/programs/SH-XIGAZE-NOPE/report/"):
        assert client.get(url + YEAR).status_code == 404, url
    # A viewer reads the dashboards, so the brief, without links to the record lists.
    client.force_login(viewer)
    html = client.get("/regions/540000/report/" + YEAR).content.decode()
    assert "/surgeries/?" not in html and 'id="headline"' in html


def test_a_donor_official_is_led_to_their_donors_work(client, dash, django_user_model):
    beijing = _make_user(django_user_model, "b", "official", regions=["110000"])
    client.force_login(beijing)
    response = client.get("/regions/540000/report/" + YEAR)
    assert response.status_code == 302
    assert response["Location"] == "/regions/540000/report/?year=2024&donor=110000"
    html = client.get(response["Location"]).content.decode()
    assert "donor Beijing" in html


def test_without_weasyprint_the_pdf_says_what_to_install(signed_in, dash, monkeypatch):
    monkeypatch.setattr(pdf, "_weasyprint", lambda: "cannot load library 'libpango-1.0-0'")
    response = signed_in.get("/regions/540000/report.pdf" + YEAR)
    assert response.status_code == 503
    assert "libpango-1.0-0" in response.content.decode() and "weasyprint" in response.content.decode()
    html = signed_in.get("/regions/540000/report/" + YEAR).content.decode()
    assert 'id="pdf-missing"' in html and 'id="pdf-link"' not in html


def test_the_before_after_of_many_hospitals_is_each_hospitals_own(dash):
    w = dash
    add_indicators(w.lhasa_peoples, 36, dt.date(2013, 1, 1), {"surgeries_total": 10, "conditions_treatable": 4})
    add_indicators(w.pulan, 12, dt.date(2024, 1, 1), {"surgeries_total": 3})
    starts = {w.lhasa_peoples.pk: dt.date(2015, 8, 1), w.pulan.pk: dt.date(2016, 1, 1)}
    many = indicators.before_after_by_hospital(IndicatorValue.objects.all(), starts)
    for hospital, start in starts.items():
        values = IndicatorValue.objects.filter(hospital=hospital)
        one = indicators.before_after(values, start, indicators.latest_month(values))
        rows = [r for r in one["rows"] if r["before_months"] or r["after_months"]]
        assert many[hospital] == {**one, "rows": rows}


# --------------------------------------------------------------------------
# The PDF


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pdf_of_a_year_is_two_to_four_pages_with_the_summarys_figures(
    signed_in, dash, language, needs_weasyprint, artifacts_dir
):
    response = signed_in.get("/regions/540000/report.pdf" + YEAR, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    keep_first_page(artifacts_dir, f"region-2024-{language}", response.content)
    pages, texts = pdf_text(response.content)
    assert 2 <= pages <= 4
    text = "\n".join(texts)
    s = region_summary("540000", Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    before = region_summary("540000", Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31)))
    for n in (s["experts"], s["expert_days"], s["surgeries"]["total"], s["trainees"]["total"],
              s["techniques"]["total"], before["techniques"]["total"], before["programs"]):
        assert number_in(text, n), n
    assert "2023" in text and "2024-01-01" in text
    # Page numbers on every page.
    footer = "page {} of {}" if language == "en" else "第 {} 页，共 {} 页"
    for i, page in enumerate(texts, start=1):
        assert footer.format(i, pages) in page
    if language == "zh-hans":
        # CJK glyphs, as extracted text: the region's name and the table's labels.
        assert "西藏自治区" in text and "手术" in text


def test_the_donor_pdf_in_chinese(signed_in, dash, needs_weasyprint, artifacts_dir):
    response = signed_in.get("/donors/110000/report.pdf" + YEAR, HTTP_ACCEPT_LANGUAGE="zh-hans")
    keep_first_page(artifacts_dir, "donor-2024-zh-hans", response.content)
    pages, texts = pdf_text(response.content)
    assert 2 <= pages <= 4
    assert "北京市" in "".join(texts)


# --------------------------------------------------------------------------
# Queries: fixed, whatever the data size. (admin, official of Tibet)

BRIEF_PINNED = {
    # The dashboard's context (its page: 28, 34, 43 and 26 queries), less
    # its twinnings table, + the before/after table (3: the hospitals'
    # first programs, their latest months, the indicators of both windows).
    # The donor's experts per month over 2024 come from the rollup (1 query, not 2).
    "/regions/540000/report/?year=2024": (28, 28),
    "/regions/540000/report/?year=2024&donor=110000&specialty=general_surgery": (34, 34),
    "/donors/110000/report/?year=2024": (42, None),  # the official of Tibet may not read it
    "/programs/BJ-LHASA/report/?year=2024": (29, 29),
}


@pytest.mark.parametrize("scale", [1, 334])
def test_brief_query_counts_do_not_grow_with_the_data(
    client, admin_user, django_user_model, db, django_assert_num_queries, scale
):
    w = build(scale)
    add_indicators(w.lhasa_peoples, 12 * min(scale, 10), dt.date(2014, 1, 1), {"outpatient_visits": 10})
    official = _make_user(django_user_model, "tibet", "official", regions=[w.tibet])
    for which, user in enumerate([admin_user, official]):
        client.force_login(user)
        for url, expected in BRIEF_PINNED.items():
            if expected[which] is None:
                continue
            caches["default"].clear()
            with django_assert_num_queries(expected[which], info=f"{url} as {user}"):
                response = client.get(url)
            assert response.status_code == 200, url
