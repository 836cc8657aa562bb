"""The dashboards' own print, in a real Chromium (page.pdf(), as the
browser's print dialog makes it): no page that is empty or holds only a
heading, the date the figures were read and page numbers on every page, no
link to the JSON, and the long monthly tables printed by year. The text is
extracted with pdftotext (poppler-utils); the first page of each PDF is
kept as a PNG under test-artifacts/print/ for a person to look at."""

import os
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

YEAR = "?date_after=2024-01-01&date_before=2024-12-31"
FOOTER = {"en": re.compile(r"^page (\d+) of (\d+)$"), "zh-hans": re.compile(r"^第 (\d+) 页，共 (\d+) 页$")}
MONTH_ROW = re.compile(r"^20\d\d-\d\d\s")  # a monthly table's row: "2024-03   12   4 ..."
STAMP = re.compile(r"20\d\d-\d\d-\d\d \d\d:\d\d")


def pdf_pages(path):
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")[:-1]]


@pytest.fixture
def needs_poppler():
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("needs pdftotext and pdftoppm (Debian: poppler-utils; CI installs it)")


def print_page(browser, live_server, url, language, pdf_path):
    context = browser.new_context(locale="zh-CN" if language != "en" else "en-GB",
                                  extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/")
    page.fill("#id_username", "printer")
    page.fill("#id_password", "secret-pw-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + url)
    page.wait_for_function("() => document.querySelectorAll('canvas[data-chart]').length > 0 && "
                           "[...document.querySelectorAll('canvas[data-chart]')].every(c => c.width > 0)")
    headings = [h.strip() for h in page.locator("main h2:visible").all_inner_texts()]
    charts = [t.strip() for t in page.locator("main .chart__title:visible").all_inner_texts()]
    page.pdf(path=str(pdf_path), format="A4", print_background=True)
    context.close()
    return headings, charts


@pytest.mark.parametrize(("name", "url", "language", "most_pages"), [
    ("region-2024-en", "/regions/540000/" + YEAR, "en", 4),
    ("region-2024-zh", "/regions/540000/" + YEAR, "zh-hans", 4),
    # All time: the charts cover every year since the first program (12
    # here, no longer the latest 120 months) with a yearly table each, and
    # the page gained the skills-transfer chart and the safety table: 6.
    ("region-all-time-en", "/regions/540000/", "en", 6),
    ("region-all-time-zh", "/regions/540000/", "zh-hans", 6),
])
def test_the_region_dashboard_prints_as_a_report(
    name, url, language, most_pages, browser, live_server, transactional_db, django_user_model,
    artifacts_dir, needs_poppler,
):
    from tests.dashboards.data import build

    build(scale=3)
    django_user_model.objects.create_superuser("printer", "p@example.org", "secret-pw-1")
    folder = os.path.join(artifacts_dir, "print")
    os.makedirs(folder, exist_ok=True)
    pdf = os.path.join(folder, f"{name}.pdf")
    headings, charts = print_page(browser, live_server, url, language, pdf)
    assert len(headings) >= 3
    pages = pdf_pages(pdf)

    assert 1 <= len(pages) <= most_pages, [p[:3] for p in pages]
    for number, lines in enumerate(pages, start=1):
        # Every page ends with its number, of the total.
        footer = FOOTER[language].match(lines[-1])
        assert footer and footer.groups() == (str(number), str(len(pages))), lines[-1]
        body = lines[:-1]
        # Neither empty nor a heading alone.
        assert len(body) >= 3, f"page {number} holds only {body}"
        # No heading at the foot of a page, alone or with a line of its own.
        # A chart's title may end a page's text: its drawing, which has no
        # text, follows it on the same page (a chart never breaks inside).
        if body[-1] not in charts:
            assert not set(body[-2:]) & set(headings), f"page {number} ends with a heading: {body[-2:]}"
        for line in body:
            assert not MONTH_ROW.match(line), f"a monthly table's row printed on page {number}: {line}"
    text = "\n".join("\n".join(p) for p in pages)
    assert "JSON" not in text
    assert STAMP.search(" ".join(pages[0][:3])), pages[0][:3]  # when the figures were read, at the top
    assert "2024" in text and ("By year" in text or language != "en")
    if language != "en":
        assert "西藏自治区" in text  # CJK glyphs, as extracted text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf,
                    os.path.join(folder, name)], check=True)
    assert any(f.startswith(name) and f.endswith(".png") for f in os.listdir(folder))
