"""An import's report has a bounded size whatever the upload: values are
shortened, each file keeps its first errors and says how many more it has,
every error is counted. Before, one long string of a workbook repeated in
every row made a report of many megabytes, stored and shown whole."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from audit.models import ImportBatch
from interchange.report import ERRORS_PER_FILE, Report
from outcomes.models import Surgery

from .conftest import EXAMPLE, command, write
from .test_limits import MAIN, SHEET_START, workbook
from .test_views import inline_runner  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

HEADER = "ref,date,hospital_code,specialty,procedure,grade,approach,lead,outcome".split(",")
LONG = "Laparoscopic cholecystectomy " * 1100 + "done"  # 31,904 characters, one shared string


@pytest.fixture
def imported(specialties):
    call_command("import_bundle", str(EXAMPLE), "--no-progress")


def workbook_of_long_cells(path, rows=2000):
    """A surgeries sheet whose every procedure is one long shared string, as
    Excel writes a value repeated (openpyxl would write it in every cell)."""
    def cells(number, values):
        return "".join(
            f'<c r="{"ABCDEFGHI"[i]}{number}" t="s"><v>{v}</v></c>' if isinstance(v, int)
            else f'<c r="{"ABCDEFGHI"[i]}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
            for i, v in enumerate(values)
        )

    rows_xml = f'<row r="1">{cells(1, HEADER)}</row>' + "".join(
        f'<row r="{n}">'
        + cells(n, [f"S-L{n}", "2024-03-12", "LS-PEOPLES", "general_surgery", 0, "2", "open", "local", "success"])
        + "</row>"
        for n in range(2, rows + 2)
    )
    sheet = [(SHEET_START + f"<sheetData>{rows_xml}</sheetData></worksheet>".encode(), 1)]
    strings = [(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>{LONG}</t></si></sst>'.encode(), 1)]
    return workbook(path, sheet, strings)


def test_a_small_upload_of_long_cells_stores_a_small_report_and_a_light_page(client, admin_user, imported, tmp_path):
    path = workbook_of_long_cells(tmp_path / "long.xlsx")
    assert path.stat().st_size < 300_000
    client.force_login(admin_user)
    upload = SimpleUploadedFile("long.xlsx", path.read_bytes())
    page = client.post(reverse("interchange:index"), {"bundle": upload}, follow=True).content.decode()
    batch = ImportBatch.objects.latest("pk")
    assert batch.error_count == 2000  # every error counted
    stored = json.dumps(batch.errors)
    assert len(stored) < 100_000, len(stored)  # 32 MB before: 1,000 errors, each with the whole value
    assert len(batch.errors) == ERRORS_PER_FILE + 1
    first = batch.errors[0]
    assert first["line"] == 2 and first["column"] == "procedure"
    assert first["value"] == LONG[:100] + "… (31,904 characters)"
    assert first["message"] == "at most 200 characters (it has 31904)"
    assert batch.errors[-1] == {
        "file": "surgeries.csv", "line": None, "column": "", "value": "", "more": 1900,
        "message": "… and 1,900 more errors in this file (the first 100 are listed)",
    }
    assert len(page) < 200_000, len(page)
    assert "… and 1,900 more errors in this file (the first 100 are listed)" in page
    assert not Surgery.objects.filter(ref__startswith="S-L").exists()


def test_the_command_lists_the_first_errors_of_each_file_and_counts_the_rest(tmp_path, imported):
    rows = "".join(f"S-B{i},2024-02-30,LS-PEOPLES,general_surgery,x,2,open,local,success\n" for i in range(250))
    write(tmp_path, "surgeries.csv", ",".join(HEADER) + "\n" + rows)
    write(tmp_path, "indicators.csv", "hospital_code,period,indicator,value\nLS-PEOPLES,2024-13,outpatient_visits,5\n")
    status, output = command(tmp_path)
    lines = output.splitlines()
    assert status == 1 and lines[0] == "251 errors; nothing was written."
    assert lines[1] == "surgeries.csv:2 [date] '2024-02-30': a date written YYYY-MM-DD"
    assert lines[101] == "surgeries.csv … and 150 more errors in this file (the first 100 are listed)"
    assert lines[102] == "indicators.csv:2 [period] '2024-13': a month written YYYY-MM"


def test_errors_found_by_a_check_spanning_rows_are_counted_not_all_kept(tmp_path, imported):
    rows = "S-2024-0001,2024-03-12,LS-PEOPLES,general_surgery,x,2,open,local,success\n" * 500
    write(tmp_path, "surgeries.csv", ",".join(HEADER) + "\n" + rows)
    status, output = command(tmp_path)
    assert status == 1 and output.startswith("499 errors; nothing was written.")  # a key given 500 times
    assert "surgeries.csv … and 399 more errors in this file (the first 100 are listed)" in output


def test_an_error_that_stops_reading_is_kept_past_the_cap(tmp_path, imported):
    rows = "".join(f"S-B{i},2024-02-30,LS-PEOPLES,general_surgery,x,2,open,local,success\n" for i in range(150))
    (tmp_path / "surgeries.csv").write_bytes((",".join(HEADER) + "\n" + rows).encode() + b"S-X,\xff\n")
    status, output = command(tmp_path)
    assert status == 1
    assert "surgeries.csv:152 the file is not UTF-8 text" in output


def test_values_and_messages_kept_are_shortened_and_visible():
    report = Report()
    report.add("x.csv", 2, "c" * 300, "v\x00" * 200, "m" * 1000)
    error = report.errors[0]
    assert error.column == "c" * 100 + "… (300 characters)"
    assert error.value == "v\\x00" * 50 + "… (400 characters)"
    assert error.message == "m" * 400 + "… (1,000 characters)"
