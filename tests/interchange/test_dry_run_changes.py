"""A dry run that would update rows says which, field by field, old -> new:
the first 50 changed rows of each file and how many more, in the command's
output and on the check's page, labelled in the reader's language."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import ImportBatch
from hospitals.models import Hospital
from interchange.changes import CHANGES_PER_FILE
from outcomes.models import Surgery

from .conftest import append, command, replace, run

pytestmark = pytest.mark.django_db

SURGERY = "S-X-{n:04d},2024-04-{day:02d},LS-PEOPLES,general_surgery,{procedure},3,laparoscopic,joint,BJ-LHASA-8,yes,no,success,{loss}"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}


@pytest.fixture
def inline_runner(settings, tmp_path):
    settings.INTERCHANGE_RUNNER = "inline"  # the background process cannot see the test's transaction
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LOGIN_URL = "/accounts/login/"


def surgeries(n, changed=0):
    """n surgeries of the example's team; the first `changed` with another procedure and blood loss."""
    return [
        SURGERY.format(
            n=i, day=1 + i % 28,
            procedure="Open cholecystectomy" if i < changed else "Laparoscopic cholecystectomy",
            loss=90 if i < changed else 50,
        )
        for i in range(n)
    ]


@pytest.fixture
def imported(example):
    """The example bundle with 80 more surgeries, imported; returns the folder."""
    append(example, "surgeries.csv", *surgeries(80))
    assert run(example).ok
    return example


def rewrite_surgeries(folder, changed):
    text = (folder / "surgeries.csv").read_text(encoding="utf-8").splitlines()
    (folder / "surgeries.csv").write_text("\n".join(text[:5] + surgeries(80, changed)) + "\n", encoding="utf-8")


def test_dry_run_lists_each_changed_field_old_and_new(imported):
    replace(imported, "hospitals.csv", "Lhasa People's Hospital,", "Lhasa City People's Hospital,")
    rewrite_surgeries(imported, changed=2)
    report = run(imported, dry_run=True)
    assert report.ok and report.counts["surgeries.csv"]["updated"] == 2
    hospitals = report.changes["hospitals.csv"]
    assert hospitals["total"] == 1
    assert hospitals["rows"] == [{
        "line": 4, "key": "LS-PEOPLES",
        "fields": [["name", "Lhasa People's Hospital", "Lhasa City People's Hospital"]],
    }]
    listed = report.changes["surgeries.csv"]
    assert listed["total"] == 2
    assert [row["key"] for row in listed["rows"]] == ["S-X-0000", "S-X-0001"]
    assert sorted(listed["rows"][0]["fields"]) == [
        ["blood_loss_ml", 50, 90], ["procedure", "Laparoscopic cholecystectomy", "Open cholecystectomy"],
    ]
    # Files whose rows would not change are not listed; nothing was written.
    assert set(report.changes) == {"hospitals.csv", "surgeries.csv"}
    assert Hospital.objects.get(code="LS-PEOPLES").name == "Lhasa People's Hospital"
    assert Surgery.objects.filter(procedure="Open cholecystectomy").count() == 0


def test_dry_run_lists_the_first_50_changed_rows_and_counts_the_rest(imported):
    rewrite_surgeries(imported, changed=70)
    report = run(imported, dry_run=True)
    listed = report.changes["surgeries.csv"]
    assert listed["total"] == 70 and len(listed["rows"]) == CHANGES_PER_FILE == 50
    assert [row["key"] for row in listed["rows"]] == [f"S-X-{i:04d}" for i in range(50)]  # by line
    status, out = command(imported, "--dry-run")
    assert status == 0
    assert "surgeries.csv: 70 rows changed" in out
    assert "  S-X-0049 (line 55)" in out and "S-X-0050" not in out
    assert "    Procedure: Laparoscopic cholecystectomy → Open cholecystectomy" in out
    assert "… and 20 more changed rows (the first 50 are listed)" in out


def test_dry_run_queries_do_not_grow_with_the_changed_rows(imported):
    def queries(changed):
        rewrite_surgeries(imported, changed)
        with CaptureQueriesContext(connection) as captured:
            report = run(imported, dry_run=True)
        assert report.changes["surgeries.csv"]["total"] == changed
        return len(captured)

    assert queries(1) == queries(70)


def test_nothing_changed_lists_nothing(imported):
    report = run(imported, dry_run=True)
    assert report.ok and report.changes == {}
    status, out = command(imported, "--dry-run")
    assert status == 0 and "would change" not in out


def test_a_check_with_errors_still_says_what_the_rest_would_rename(imported):
    # A second team with the batch of BJ-LHASA-8 (as the example bundle onto
    # the demo's data): an error; the programs' rename is listed still.
    append(imported, "teams.csv", "BJ-LHASA-OTHER,BJ-LHASA,Another team,8,2024-01-01,2024-06-30")
    replace(imported, "programs.csv", "Beijing group aid to Lhasa People's Hospital", "Beijing aid to Lhasa")
    status, out = command(imported, "--dry-run")
    assert status == 1
    assert "Without these errors, the import would change these rows:" in out
    assert "programs.csv: 1 row changed" in out
    assert "    Name: Beijing group aid to Lhasa People's Hospital → Beijing aid to Lhasa" in out


def test_check_page_shows_the_changes_in_the_readers_language(imported, client, admin_user, inline_runner):
    replace(imported, "hospitals.csv", "Lhasa People's Hospital,", "Lhasa City People's Hospital,")
    rewrite_surgeries(imported, changed=60)
    client.force_login(admin_user)
    response = client.post(reverse("interchange:index"), {"bundle": zipped(imported)})
    check = ImportBatch.objects.get(dry_run=True)
    assert response["Location"] == reverse("interchange:batch", args=[check.pk])
    page = client.get(response["Location"]).content.decode()
    assert "The import would change these rows:" in page
    assert "hospitals.csv: 1 row changed" in page
    assert "<td>Name</td><td>Lhasa People&#x27;s Hospital</td><td>→ Lhasa City People&#x27;s Hospital</td>" in page
    assert "surgeries.csv: 60 rows changed" in page
    assert "… and 10 more changed rows (the first 50 are listed)" in page
    assert page.count("<td>Procedure</td>") == 50
    zh = client.get(response["Location"], **ZH).content.decode()
    assert "<td>名称</td><td>Lhasa People&#x27;s Hospital</td>" in zh
    assert Hospital.objects.get(code="LS-PEOPLES").name == "Lhasa People's Hospital"


def zipped(folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for p in sorted(folder.iterdir()):
            z.write(p, p.name)
    buffer.seek(0)
    buffer.name = "bundle.zip"
    return buffer


def test_the_example_bundle_onto_the_demo_says_what_it_would_rename(example):
    """README: the example bundle onto the demo data is refused for three
    teams' batch numbers, and says what else it would overwrite."""
    call_command("load_demo", stdout=io.StringIO())
    status, out = command(example, "--dry-run")
    assert status == 1 and out.startswith("3 errors; nothing was written.")
    assert "Without these errors, the import would change these rows:" in out
    assert "programs.csv: 2 rows changed" in out
    assert (
        "    Name: Beijing medical aid to Lhasa People's Hospital (department twinning)"
        " → Beijing group aid to Lhasa People's Hospital"
    ) in out
    assert "    Kind: department_twinning → group_aid" in out
    assert "hospitals.csv: 5 rows changed" in out and "techniques.csv: 2 rows changed" in out
    assert "teams.csv" not in out.split("Without these errors")[1]  # its teams would be new rows
