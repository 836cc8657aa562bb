"""The workbook to fill offline (/import/template.xlsx): its sheets, header
notes and drop-down lists as openpyxl reads them back, and a template
filled offline (by openpyxl, and saved again by LibreOffice) that imports
unchanged through the Import page and the command."""

import datetime
import io
import os
import shutil
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from audit.models import ImportBatch
from deployments.models import Program, Rotation, Team, Twinning
from interchange.importer import import_bundle
from interchange.specs import SPECS
from interchange.template import TEMPLATE_FILES
from outcomes.models import Consultation, IndicatorValue, Referral, Surgery, Technique, Training

pytestmark = pytest.mark.django_db

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the Chromium test's live server, as tests/browser do

URL = "/import/template.xlsx"
# The session, the user with the scope, then the lists: programs,
# specialties, twinned and rotated specialties, hospitals, teams; whatever
# the number of records.
COORDINATOR_QUERIES = 8


@pytest.fixture(autouse=True)
def inline_runner(settings, tmp_path, specialties):
    settings.INTERCHANGE_RUNNER = "inline"  # the background process cannot see the test's transaction
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def teams(world):
    """A team of each program, and BJ-LHASA's cardiology twinned with Beijing Friendship."""
    lhasa = Team.objects.create(
        code="BJ-LHASA-10", program=world.bj_lhasa, name="Tenth group", batch=10,
        start_date=datetime.date(2024, 7, 1), end_date=datetime.date(2026, 6, 30),
    )
    Team.objects.create(
        code="SH-XIGAZE-9", program=world.sh_xigaze, name="Ninth group", batch=9,
        start_date=datetime.date(2024, 7, 1), end_date=datetime.date(2026, 6, 30),
    )
    Twinning.objects.create(
        program=world.bj_lhasa, specialty_id="cardiology", donor_hospital=world.bj_friendship,
        start_date=datetime.date(2016, 1, 1),
    )
    return lhasa


def download(client, user, language="en", **params):
    client.force_login(user)
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def validation_of(sheet, column_name):
    """The data validation of a column (by header), or None."""
    letter = next(c.column_letter for c in sheet[1] if c.value == column_name)
    for validation in sheet.data_validations.dataValidation:
        if any(str(r).startswith(f"{letter}2:") for r in validation.sqref.ranges):
            return validation
    return None


def listed(workbook, validation):
    """The values a list validation offers: inline, or through a defined name."""
    formula = validation.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    defined = workbook.defined_names[formula]
    ((sheet_name, cells),) = defined.destinations
    return [row[0].value for row in workbook[sheet_name][cells.replace("$", "")]]


def test_sheets_headers_notes_and_lists_for_a_coordinator(client, coordinator, teams):
    workbook = download(client, coordinator)
    assert workbook.sheetnames == [*(name.removesuffix(".csv") for name in TEMPLATE_FILES), "example", "lists"]
    assert workbook["lists"].sheet_state == "hidden"
    for file_name in TEMPLATE_FILES:
        sheet = workbook[file_name.removesuffix(".csv")]
        # The contract's columns, in its order, and nothing below them.
        assert tuple(c.value for c in sheet[1]) == SPECS[file_name].column_names
        assert sheet.max_row == 1
        for header in sheet[1]:
            assert header.comment is not None and header.value in header.comment.text, header.value
    surgeries = workbook["surgeries"]
    note = surgeries["B1"].comment.text  # date
    assert note.startswith("Date (date)") and "Required." in note and "A date written YYYY-MM-DD" in note
    assert "not after today" in note and "Example: " in note
    assert "Optional" in surgeries["I1"].comment.text  # team_code
    assert "The surgery grade is 1, 2, 3 or 4.\n" in surgeries["F1"].comment.text
    assert "Laparoscopic cholecystectomy" in surgeries["E1"].comment.text  # procedure's example
    assert workbook["rotations"]["C1"].comment.text.startswith("Person: name (person_name)")

    # Code lists: strict drop-downs with the spec's values.
    approach = validation_of(surgeries, "approach")
    assert approach.errorStyle == "stop" and listed(workbook, approach) == [
        "open", "laparoscopic", "thoracoscopic", "endoscopic", "robotic", "interventional", "other"]
    assert listed(workbook, validation_of(surgeries, "grade")) == ["1", "2", "3", "4"]
    assert listed(workbook, validation_of(surgeries, "demonstration")) == ["yes", "no"]
    indicators = workbook["indicators"]
    assert "outpatient_visits" in listed(workbook, validation_of(indicators, "indicator"))
    # The spec's 35 specialties are longer than a cell's 255 characters: on
    # the lists sheet, under a name; the program's twinned one first.
    specialty = validation_of(surgeries, "specialty")
    assert not specialty.formula1.startswith('"') and specialty.formula1 in workbook.defined_names
    specialties = listed(workbook, specialty)
    assert len(specialties) == 35 and specialties[0] == "cardiology"
    # The coordinator's program's teams and hospitals, not the others'; they warn.
    team = validation_of(surgeries, "team_code")
    assert listed(workbook, team) == ["BJ-LHASA-10"] and team.errorStyle == "warning"
    # The recipient hospital first, then the donor hospital it twins with.
    assert listed(workbook, validation_of(surgeries, "hospital_code")) == ["LS-PEOPLES", "BJ-FRIENDSHIP"]
    assert listed(workbook, validation_of(workbook["trainings"], "program_code")) == ["BJ-LHASA"]
    # Date columns are dates written YYYY-MM-DD; months and codes stay text.
    assert surgeries.column_dimensions["B"].number_format == "yyyy-mm-dd"
    assert indicators.column_dimensions["B"].number_format == "@"
    assert surgeries.column_dimensions["A"].number_format == "@"
    # The example sheet: each file's header and one example row.
    example = [[c for c in row if c is not None] for row in workbook["example"].iter_rows(values_only=True)]
    at = example.index(["surgeries"])
    assert tuple(example[at + 1]) == SPECS["surgeries.csv"].column_names
    assert example[at + 2][0] == f"SURG-{datetime.date.today().year}-0001"


def test_chinese_notes(client, coordinator, teams):
    workbook = download(client, coordinator, language="zh-hans")
    assert workbook.sheetnames[0] == "rotations"  # sheet and column names are the contract's
    surgeries = workbook["surgeries"]
    assert surgeries["A1"].value == "ref"
    note = surgeries["G1"].comment.text  # approach: its label and "one of" in Chinese
    assert note.splitlines()[0] == "手术方式 (approach)", note
    assert "之一" in note and "laparoscopic" in note


def test_one_program_and_who_may_download(client, world, teams, admin_user, coordinator, official, viewer):
    # An admin gets every hospital and team, or one program's.
    workbook = download(client, admin_user)
    assert listed(workbook, validation_of(workbook["surgeries"], "team_code")) == ["BJ-LHASA-10", "SH-XIGAZE-9"]
    assert len(listed(workbook, validation_of(workbook["surgeries"], "hospital_code"))) == 6
    workbook = download(client, admin_user, program="SH-XIGAZE")
    assert listed(workbook, validation_of(workbook["surgeries"], "team_code")) == ["SH-XIGAZE-9"]
    assert listed(workbook, validation_of(workbook["surgeries"], "hospital_code")) == ["XG-PEOPLES"]
    # A coordinator: their program only; another program is not found.
    download(client, coordinator, program="BJ-LHASA")
    assert client.get(URL, {"program": "SH-XIGAZE"}).status_code == 404
    for user in (official, viewer):
        client.force_login(user)
        assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_queries(client, coordinator, teams, django_assert_num_queries):
    client.force_login(coordinator)
    client.get("/")  # the session and the user's scope
    with django_assert_num_queries(COORDINATOR_QUERIES):
        assert client.get(URL).status_code == 200


def test_the_import_page_and_the_coordinators_home_link_to_it(client, admin_user, coordinator):
    client.force_login(admin_user)
    page = client.get(reverse("interchange:index")).content.decode()
    assert f'href="{URL}"' in page and "Fill offline" in page
    client.force_login(coordinator)
    page = client.get("/").content.decode()
    assert f'href="{URL}"' in page and "Keeping the log offline?" in page
    assert "Or for one program" not in page  # one program: the workbook is that program's
    coordinator.profile.programs.add(Program.objects.get(code="SH-XIGAZE"))
    page = client.get("/").content.decode()
    assert f'href="{URL}?program=BJ-LHASA"' in page and f'href="{URL}?program=SH-XIGAZE"' in page


def fill(workbook):
    """One row in every sheet, typed as a person would in a spreadsheet:
    dates as date cells (one as text), codes from the lists, a month as text."""
    rows = {
        "rotations": ["BJ-LHASA-10", "P-0001", "Zhang Wei", "BJ-FRIENDSHIP", "cardiology", "chief", "leader",
                      datetime.date(2024, 7, 1), datetime.date(2025, 6, 30)],
        "surgeries": ["SURG-1", datetime.date(2025, 3, 14), "LS-PEOPLES", "cardiology", "Coronary angiography",
                      3, "interventional", "joint", "BJ-LHASA-10", "yes", "no", "success", 50],
        "trainings": ["TRN-1", "T-0001", "Tashi Dorje", "LS-PEOPLES", "cardiology", "doctor", "mentorship", None,
                      "BJ-LHASA", "2024-09-01", datetime.date(2025, 2, 28), 120.5, "completed",
                      datetime.date(2025, 3, 1), "Coronary angiography"],
        "techniques": ["TEC-1", "LS-PEOPLES", "cardiology", "Coronary angiography", datetime.date(2024, 11, 20),
                       "BJ-LHASA", "yes"],
        "referrals": ["REF-1", datetime.date(2025, 1, 5), "transfer_in", "540100", "LS-PEOPLES", "neonate",
                      85, 2.5, "recovered"],
        "consultations": ["CON-1", datetime.date(2025, 2, 10), "LS-PEOPLES", "BJ-FRIENDSHIP", "cardiology", "remote"],
        "indicators": ["LS-PEOPLES", "2025-01", "outpatient_visits", 1200],
    }
    for name, values in rows.items():
        sheet = workbook[name]
        for index, value in enumerate(values, start=1):
            sheet.cell(row=2, column=index, value=value)
    return workbook


def assert_imported():
    rotation = Rotation.objects.get(person__code="P-0001")
    assert rotation.team_id == "BJ-LHASA-10" and rotation.person.name == "Zhang Wei"
    surgery = Surgery.objects.get(ref="SURG-1")
    assert surgery.date == datetime.date(2025, 3, 14) and surgery.grade == 3 and surgery.demonstration
    training = Training.objects.get(ref="TRN-1")
    assert training.start_date == datetime.date(2024, 9, 1) and str(training.hours) == "120.5"
    assert Technique.objects.get(ref="TEC-1").first_in_region
    assert Referral.objects.get(ref="REF-1").origin_region_id == "540100"
    assert Consultation.objects.get(ref="CON-1").consulting_hospital_id == "BJ-FRIENDSHIP"
    value = IndicatorValue.objects.get(hospital_id="LS-PEOPLES", indicator="outpatient_visits")
    assert value.period == datetime.date(2025, 1, 1) and value.value == 1200


def test_a_filled_template_imports_unchanged_through_the_import_page(client, coordinator, admin_user, teams):
    # The coordinator downloads and fills it; an admin uploads it as it is.
    filled = io.BytesIO()
    fill(download(client, coordinator)).save(filled)
    filled.seek(0)
    filled.name = "filled.xlsx"
    client.force_login(admin_user)
    response = client.post(reverse("interchange:index"), {"bundle": filled})
    dry = ImportBatch.objects.get()
    assert dry.status == "done" and dry.error_count == 0, dry.errors
    assert dry.counts["surgeries.csv"]["created"] == 1
    assert b"No errors" in client.get(response["Location"]).content
    assert not Surgery.objects.exists()
    client.post(reverse("interchange:confirm", args=[dry.pk]))
    real = ImportBatch.objects.get(dry_run=False)
    assert real.status == "done", real.errors
    assert_imported()


def soffice():
    """LibreOffice's command: CI (which installs libreoffice-calc-nogui)
    fails rather than skips without it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no LibreOffice (apt-get install libreoffice-calc-nogui)")
        pytest.skip("no LibreOffice on PATH (apt-get install libreoffice-calc-nogui)")
    return found


def test_a_template_saved_by_libreoffice_imports(client, coordinator, teams, tmp_path):
    command = soffice()
    written = tmp_path / "filled.xlsx"
    fill(download(client, coordinator, program="BJ-LHASA")).save(written)
    out = tmp_path / "libreoffice"
    # A profile of its own, so that a LibreOffice already running elsewhere does not take the job.
    subprocess.run(
        [command, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out), str(written)],
        check=True, capture_output=True, timeout=180,
    )
    saved = out / "filled.xlsx"
    assert saved.read_bytes() != written.read_bytes()
    # LibreOffice kept the sheets, the hidden lists and the notes.
    workbook = openpyxl.load_workbook(saved)
    assert workbook.sheetnames[-1] == "lists" and workbook["lists"].sheet_state == "hidden"
    assert "Required." in workbook["surgeries"]["B1"].comment.text
    report = import_bundle(saved, dry_run=True)
    assert report.error_count == 0, [str(e) for e in report.errors]
    report = import_bundle(saved)
    assert report.error_count == 0, [str(e) for e in report.errors]
    assert_imported()


@pytest.mark.browser
def test_a_coordinator_downloads_it_from_their_home_in_chromium(
    transactional_db, live_server, page, coordinator, teams, tmp_path
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "coord")
    page.fill("input[name=password]", "pw")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server.url}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the workbook to fill").click()
    assert download.value.suggested_filename == "aidtracker-template.xlsx"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    assert listed(workbook, validation_of(workbook["surgeries"], "team_code")) == ["BJ-LHASA-10"]
