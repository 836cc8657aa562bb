"""The Import page: admins only; upload -> dry-run report -> confirm -> imported."""

import io
import zipfile

import pytest
from django.urls import reverse

from audit.models import ImportBatch
from outcomes.models import Surgery

from .conftest import EXAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def inline_runner(settings, tmp_path):
    settings.INTERCHANGE_RUNNER = "inline"  # the background process cannot see the test's transaction
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LOGIN_URL = "/accounts/login/"  # the sign-in page is another part's work


def bundle_zip(replace=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for p in sorted(EXAMPLE.iterdir()):
            text = p.read_text(encoding="utf-8")
            if replace and p.name == replace[0]:
                text = text.replace(replace[1], replace[2])
            z.writestr(p.name, text)
    buffer.seek(0)
    buffer.name = "example.zip"
    return buffer


def test_anonymous_user_is_sent_to_the_login_page(client):
    response = client.get(reverse("interchange:index"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_non_admin_gets_403(client, django_user_model):
    user = django_user_model.objects.create_user("official", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("interchange:index")).status_code == 403
    assert client.post(reverse("interchange:index"), {"bundle": bundle_zip()}).status_code == 403
    assert client.get(reverse("interchange:export", args=["zip"])).status_code == 403
    assert not ImportBatch.objects.exists()


def test_upload_report_confirm_import(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("interchange:index"))
    assert page.status_code == 200 and b"enctype" in page.content

    response = client.post(reverse("interchange:index"), {"bundle": bundle_zip()})
    dry = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("interchange:batch", args=[dry.pk])
    assert dry.dry_run and dry.status == "done" and dry.user == admin_user
    report = client.get(response["Location"])
    assert b"No errors" in report.content and b"surgeries.csv" in report.content
    assert not Surgery.objects.exists()

    response = client.post(reverse("interchange:confirm", args=[dry.pk]))
    real = ImportBatch.objects.get(dry_run=False)
    assert response["Location"] == reverse("interchange:batch", args=[real.pk])
    assert real.status == "done" and real.sha256 == dry.sha256
    assert Surgery.objects.count() == 4
    assert set(Surgery.history.values_list("import_batch", flat=True)) == {real.pk}
    assert b"Imported." in client.get(response["Location"]).content
    # A second click imports nothing twice.
    client.post(reverse("interchange:confirm", args=[dry.pk]))
    assert ImportBatch.objects.filter(dry_run=False).count() == 1


def test_upload_with_errors_shows_the_table_and_cannot_be_confirmed(client, admin_user):
    client.force_login(admin_user)
    upload = bundle_zip(("surgeries.csv", "2024-03-15", "2024-03-35"))
    response = client.post(reverse("interchange:index"), {"bundle": upload})
    page = client.get(response["Location"])
    content = page.content.decode()
    assert "1 error: nothing was written." in content
    assert "<td>surgeries.csv</td><td>3</td><td>date</td><td><code>2024-03-35</code></td>" in content
    dry = ImportBatch.objects.get()
    refused = client.post(reverse("interchange:confirm", args=[dry.pk]), follow=True)
    assert refused.redirect_chain[-1][0] == reverse("interchange:batch", args=[dry.pk])
    assert "This check found errors, so it cannot be imported." in refused.content.decode()
    assert not Surgery.objects.exists() and ImportBatch.objects.count() == 1


def test_wrong_kind_of_file_is_refused_by_the_form(client, admin_user):
    client.force_login(admin_user)
    upload = io.BytesIO(b"hello")
    upload.name = "notes.txt"
    response = client.post(reverse("interchange:index"), {"bundle": upload})
    assert response.status_code == 200 and b"Upload a .zip" in response.content
    assert not ImportBatch.objects.exists()


def test_running_import_page_refreshes_itself(client, admin_user):
    client.force_login(admin_user)
    batch = ImportBatch.objects.create(user=admin_user, file_name="big.zip", sha256="x", dry_run=True)
    response = client.get(reverse("interchange:batch", args=[batch.pk]))
    assert response["Refresh"] == "2" and b"<progress" in response.content


def test_export_download(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("interchange:export", args=["zip"]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "surgeries.csv" in archive.namelist()
