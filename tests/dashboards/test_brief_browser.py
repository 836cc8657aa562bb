"""The brief printed from the browser (Chromium's print to PDF, as its
print dialog makes it): the HTML version alone, with no JavaScript needed
for its charts, makes a clean report of 2 to 4 A4 pages with page numbers.
The first page of the browser's PDF and a screenshot of the page in print
media are kept under test-artifacts/brief/ for a person to look at."""

import os
import subprocess

import pytest

from tests.dashboards import test_print
from tests.dashboards.test_print import FOOTER, pdf_pages

needs_poppler = test_print.needs_poppler  # a fixture

pytestmark = pytest.mark.browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.parametrize(("name", "url", "language"), [
    ("browser-region-2024-en", "/regions/540000/report/?year=2024", "en"),
    ("browser-region-2024-zh", "/regions/540000/report/?year=2024", "zh-hans"),
    ("browser-donor-2024-zh", "/donors/110000/report/?year=2024", "zh-hans"),
])
def test_the_brief_prints_from_the_browser_as_a_clean_report(
    name, url, language, browser, live_server, transactional_db, django_user_model, artifacts_dir, needs_poppler,
):
    from tests.dashboards.data import build

    build(scale=3)
    django_user_model.objects.create_superuser("printer", "p@example.org", "secret-pw-1")
    folder = os.path.join(artifacts_dir, "brief")
    os.makedirs(folder, exist_ok=True)
    context = browser.new_context(locale="zh-CN" if language != "en" else "en-GB",
                                  extra_http_headers={"Accept-Language": language}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/")
    page.fill("#id_username", "printer")
    page.fill("#id_password", "secret-pw-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + url)
    # The charts are images drawn on the server: loaded without a script.
    assert page.evaluate("[...document.images].filter(i => i.src.startsWith('data:image/svg')).every(i => i.naturalWidth > 0)")
    assert page.locator("img[src^='data:image/svg']").count() == 3
    page.emulate_media(media="print")
    page.screenshot(path=os.path.join(folder, f"{name}-print-media.png"), full_page=True)
    pdf = os.path.join(folder, f"{name}.pdf")
    page.pdf(path=pdf, format="A4", print_background=True)
    context.close()

    pages = pdf_pages(pdf)
    assert 2 <= len(pages) <= 4, [p[:3] for p in pages]
    for number, lines in enumerate(pages, start=1):
        footer = FOOTER[language].match(lines[-1])
        assert footer and footer.groups() == (str(number), str(len(pages))), lines[-1]
        assert len(lines) >= 4, f"page {number} holds only {lines}"
    text = "\n".join("\n".join(p) for p in pages)
    assert "2024-01-01" in text and "2023" in text
    if language != "en":
        assert "西藏自治区" in text or "北京市" in text  # CJK glyphs, as extracted text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, os.path.join(folder, name)], check=True)
