"""A file the importer cannot read is an error naming the file (and the
line where there is one), like any other error of the bundle: never a
traceback, never "internal error", and the report can always be stored
and shown. Nothing is written."""

import csv
import io
import stat
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import ImportBatch
from outcomes.models import Surgery

from .conftest import EXAMPLE, command, only_error, replace, run, write
from .test_views import inline_runner  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

SURGERIES = (EXAMPLE / "surgeries.csv").read_text(encoding="utf-8")


@pytest.fixture
def imported(specialties):
    call_command("import_bundle", str(EXAMPLE), "--no-progress")


def test_a_header_naming_no_column_of_the_file_is_reported_column_by_column(tmp_path, imported):
    write(tmp_path, "surgeries.csv", "foo,bar\n1,2\n")
    status, output = command(tmp_path / "surgeries.csv")
    assert status == 1 and "Traceback" not in output
    assert "surgeries.csv:1 [foo] 'foo': a column of surgeries.csv: ref, date," in output
    assert "surgeries.csv:1 [ref] the required column ref is missing" in output
    assert Surgery.objects.count() == 4


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])  # "utf-16" writes a byte-order mark
def test_utf16_text_is_named_as_such(tmp_path, imported, encoding):
    (tmp_path / "surgeries.csv").write_bytes(SURGERIES.replace("S-2024-0001", "S-NEW").encode(encoding))
    e = only_error(run(tmp_path / "surgeries.csv"), file="surgeries.csv", line=1)
    assert e.message.startswith("the file is UTF-16 text, not UTF-8")
    assert not Surgery.objects.filter(ref="S-NEW").exists()


def test_a_binary_file_is_no_utf8_text(tmp_path, db):
    (tmp_path / "surgeries.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    e = only_error(run(tmp_path / "surgeries.csv"), file="surgeries.csv", line=1)
    assert e.message.startswith("the file is not UTF-8 text")


def test_a_nul_character_in_a_cell_is_an_error_of_that_cell_and_the_report_is_stored(example, admin_user):
    replace(example, "surgeries.csv", "Percutaneous", "Percu\x00taneous")
    status, output = command(example, "--user", admin_user.username)
    assert status == 1
    assert (
        "surgeries.csv:5 [procedure] 'Percu\\x00taneous nephrolithotomy': text without NUL characters (code 0, shown as \\x00)"
        in output
    )
    batch = ImportBatch.objects.get()  # stored (PostgreSQL's jsonb holds no NUL), with the place of the error
    assert batch.status == "failed" and batch.errors[0]["value"] == "Percu\\x00taneous nephrolithotomy"
    assert not Surgery.objects.exists()


def test_a_nul_character_in_the_header_is_shown_and_stored(tmp_path, db, admin_user):
    write(tmp_path, "surgeries.csv", SURGERIES.replace("blood_loss_ml", "blood\x00loss_ml", 1))
    status, output = command(tmp_path / "surgeries.csv", "--user", admin_user.username)
    assert status == 1 and "surgeries.csv:1 [blood\\x00loss_ml]" in output
    assert ImportBatch.objects.get().errors[0]["column"] == "blood\\x00loss_ml"


def test_a_nul_character_uploaded_on_the_page_is_reported_there(client, admin_user, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    upload = SimpleUploadedFile("surgeries.csv", SURGERIES.replace("Percutaneous", "Percu\x00taneous").encode())
    response = client.post(reverse("interchange:index"), {"bundle": upload}, follow=True)
    page = response.content.decode()
    assert "Percu\\x00taneous" in page and "text without NUL characters" in page
    assert "Interrupted" not in page and ImportBatch.objects.get().status == "failed"


def zip_with(path, member, data=SURGERIES.encode(), **attributes):
    """A zip holding the example's regions.csv and `member` with `attributes` set on it."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(EXAMPLE / "regions.csv", "regions.csv")
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        for name, value in attributes.items():
            setattr(info, name, value)
        archive.writestr(info, data)
    return path


def patch_member(path, offset_in_header, value):
    """Change a two-byte field of the last member's local and central headers."""
    data = bytearray(path.read_bytes())
    local = data.rfind(b"PK\x03\x04")
    central = data.rfind(b"PK\x01\x02")
    data[local + offset_in_header:local + offset_in_header + 2] = value.to_bytes(2, "little")
    data[central + offset_in_header + 2:central + offset_in_header + 4] = value.to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


def test_a_symbolic_link_in_a_zip_is_an_error_of_that_member(tmp_path, db):
    archive = zip_with(tmp_path / "b.zip", "surgeries.csv", b"/etc/passwd", external_attr=(stat.S_IFLNK | 0o777) << 16)
    status, output = command(archive, "--dry-run")
    assert status == 1 and "Traceback" not in output
    assert "surgeries.csv a symbolic link, not a file" in output


def test_an_encrypted_zip_member_is_an_error_of_that_member(tmp_path, db):
    archive = patch_member(zip_with(tmp_path / "b.zip", "surgeries.csv"), 6, 0x1)  # general purpose flag: encrypted
    status, output = command(archive, "--dry-run")
    assert status == 1 and "Traceback" not in output
    assert "surgeries.csv encrypted (protected by a password)" in output


def test_a_zip_member_packed_with_an_unknown_method_is_an_error_of_that_member(tmp_path, db):
    archive = patch_member(zip_with(tmp_path / "b.zip", "surgeries.csv"), 8, 9)  # method 9: Deflate64
    status, output = command(archive, "--dry-run")
    assert status == 1 and "Traceback" not in output
    assert "surgeries.csv packed with a compression method this importer cannot unpack (method 9)" in output


def test_a_sheet_damaged_half_way_is_an_error_at_the_row_where_it_breaks(tmp_path, db):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "regions"
    for line in (EXAMPLE / "regions.csv").read_text(encoding="utf-8").splitlines():
        sheet.append(line.split(","))
    workbook.save(tmp_path / "good.xlsx")
    with zipfile.ZipFile(tmp_path / "good.xlsx") as good, zipfile.ZipFile(tmp_path / "b.xlsx", "w") as bad:
        for item in good.infolist():
            data = good.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                cut = data.index(b'<row r="4"')
                data = data[:cut] + b'<row r="4"><c r="A4" t="s"><v>oops'  # the XML ends in the middle of row 4
            bad.writestr(item, data)
    e = only_error(run(tmp_path / "b.xlsx"), file="regions.csv", line=4)
    assert e.message.startswith("the sheet cannot be read from this row on (the workbook is damaged")


def test_what_fails_unforeseen_is_still_an_error_of_the_file_at_its_line(example, monkeypatch):
    from interchange import handlers

    def broken(self, line, vals, ok):
        if line == 3:
            raise ZeroDivisionError("something nobody foresaw")
        return original(self, line, vals, ok)

    original = handlers.ProgramsImport.handle
    monkeypatch.setattr(handlers.ProgramsImport, "handle", broken)
    status, output = command(example)
    assert status == 1 and "Traceback" not in output
    assert "programs.csv:3 this file cannot be read from this line on (ZeroDivisionError)" in output


# Two files of a bundle for one file of the format: names are matched without
# regard to case, so both would be read as one (one of them silently not).

NEW_SURGERY = "S-NEW,2024-03-12,LS-PEOPLES,general_surgery,Appendectomy,2,open,local,,no,no,success,\n"


def test_two_zip_members_whose_names_differ_only_in_case_are_an_error(tmp_path, imported):
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("surgeries.csv", SURGERIES)
        z.writestr("SURGERIES.csv", SURGERIES.splitlines()[0] + "\n" + NEW_SURGERY)
    status, output = command(archive)
    assert status == 1
    assert "surgeries.csv a second file for surgeries.csv (SURGERIES.csv is one already" in output
    assert not Surgery.objects.filter(ref="S-NEW").exists()


def test_one_name_twice_in_a_zip_is_an_error(tmp_path, imported):
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as z, pytest.warns(UserWarning, match="Duplicate name"):
        z.writestr("surgeries.csv", SURGERIES)
        z.writestr("surgeries.csv", SURGERIES.splitlines()[0] + "\n" + NEW_SURGERY)
    status, output = command(archive)
    assert status == 1 and "a second file for surgeries.csv" in output
    assert not Surgery.objects.filter(ref="S-NEW").exists()


def test_two_files_of_a_folder_whose_names_differ_only_in_case_are_an_error(tmp_path, imported):
    write(tmp_path, "surgeries.csv", SURGERIES)
    write(tmp_path, "Surgeries.csv", SURGERIES.splitlines()[0] + "\n" + NEW_SURGERY)
    e = only_error(run(tmp_path))
    assert e.message.startswith("a second file for surgeries.csv")
    assert not Surgery.objects.filter(ref="S-NEW").exists()


def test_two_sheets_for_one_file_are_an_error(tmp_path, imported):
    workbook = openpyxl.Workbook()
    workbook.active.title = "surgeries"
    workbook.create_sheet("Surgeries ")  # Excel refuses such a pair; other tools write it
    for sheet, rows in zip(workbook.worksheets, (SURGERIES, SURGERIES.splitlines()[0] + "\n" + NEW_SURGERY)):
        for row in csv.reader(io.StringIO(rows)):
            sheet.append(row)
    workbook.save(tmp_path / "b.xlsx")
    e = only_error(run(tmp_path / "b.xlsx"), file="Surgeries ")
    assert e.message.startswith("a second file for surgeries.csv")
