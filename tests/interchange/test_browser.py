"""The Import page in a real browser: upload a zip, read the report, confirm."""

import os
import zipfile

import pytest

from outcomes.models import Surgery

from .conftest import EXAMPLE

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_uploads_checks_and_imports_a_bundle(page, live_server, settings, tmp_path, client, admin_user, specialties):
    settings.INTERCHANGE_RUNNER = "inline"
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "example.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(EXAMPLE.iterdir()):
            z.write(p, p.name)
    client.force_login(admin_user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    page.goto(f"{live_server.url}/import/")
    page.set_input_files("input[type=file]", str(archive))
    page.get_by_role("button", name="Check the bundle").click()
    page.get_by_text("No errors. This is what the import would do:").wait_for()
    assert page.locator("tr", has_text="surgeries.csv").inner_text().split() == ["surgeries.csv", "4", "0", "0"]
    assert not Surgery.objects.exists()

    page.get_by_role("button", name="Import it").click()
    page.get_by_role("heading", name="Imported.").wait_for()
    assert Surgery.objects.count() == 4
