"""The importer's promises: the example bundle imports from every kind of
input, all or nothing, idempotent, dry run, history rows carrying the batch."""

import io
import shutil
import zipfile

import openpyxl
import pytest
from django.core.management import call_command

from audit.models import ImportBatch
from deployments.models import Person, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region
from interchange import service
from outcomes.models import (
    Consultation,
    IndicatorValue,
    Referral,
    Surgery,
    Technique,
    Trainee,
    Training,
)

from .conftest import EXAMPLE, append, command, replace, run

pytestmark = pytest.mark.django_db

MODELS = [Region, Hospital, Program, Twinning, Team, Person, Rotation, Surgery, Trainee,
          Training, Technique, Referral, Consultation, IndicatorValue]


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def history_counts():
    return {m.__name__: m.history.count() for m in MODELS}


def test_example_bundle_imports_every_file(example):
    report = run(example)
    assert report.ok, [str(e) for e in report.errors]
    assert counts() == {
        "Region": 7, "Hospital": 5, "Program": 2, "Twinning": 2, "Team": 3, "Person": 3,
        "Rotation": 4, "Surgery": 4, "Trainee": 2, "Training": 3, "Technique": 2,
        "Referral": 3, "Consultation": 2, "IndicatorValue": 3,
    }
    assert report.counts["surgeries.csv"] == {"created": 4, "updated": 0, "unchanged": 0}
    s = Surgery.objects.get(ref="S-2024-0002")
    assert (s.procedure, s.grade, s.demonstration, s.first_in_region, s.blood_loss_ml) == (
        "Pancreaticoduodenectomy (Whipple, first in Lhasa)", 4, True, True, 800)
    assert Surgery.objects.get(ref="S-2024-0004").demonstration is False  # empty = no
    transfer, out, international = Referral.objects.order_by("ref")
    assert (transfer.origin_region_id, transfer.destination_hospital_id) == ("540200", "LS-PEOPLES")
    assert (out.origin_hospital_id, out.destination_region_id) == ("LS-PEOPLES", "110000")
    assert (international.origin_country, international.destination_hospital_id) == ("NP", "XG-PEOPLES")
    assert Person.objects.get(code="BJF-0042").home_hospital_id == "BJ-FRIENDSHIP"
    assert Trainee.objects.get(code="LS-D-015").name == "Tsering Dolma"
    assert str(IndicatorValue.objects.get(indicator="live_births").period) == "2024-01-01"
    assert str(Training.objects.get(ref="TR-0003").hours) == "32.5"


def test_second_import_changes_nothing_and_says_so(example):
    run(example)
    before, history_before = counts(), history_counts()
    report = run(example)
    assert report.ok
    assert all(c["created"] == 0 and c["updated"] == 0 for c in report.counts.values())
    assert report.counts["surgeries.csv"]["unchanged"] == 4
    assert counts() == before and history_counts() == history_before


def test_changed_row_is_updated_with_a_history_row(example, admin_user):
    run(example)
    replace(example, "surgeries.csv", "Percutaneous nephrolithotomy,3,endoscopic,joint", "Percutaneous nephrolithotomy,4,endoscopic,joint")
    report, batch = service.run(example, user=admin_user)
    assert report.counts["surgeries.csv"] == {"created": 0, "updated": 1, "unchanged": 3}
    assert Surgery.objects.get(ref="S-2024-0004").grade == 4
    change = Surgery.history.get(ref="S-2024-0004", history_type="~")
    assert change.import_batch == batch and change.history_user == admin_user
    assert batch.status == "done" and batch.counts["surgeries.csv"]["updated"] == 1


def test_a_column_the_file_leaves_out_is_kept_and_an_empty_cell_clears(tmp_path, example):
    """A file of a few columns updates those: Chinese names and grades stay as
    they were when the file has no such columns (an admin fixing English
    names must not wipe them); an empty cell, in a file that has the column,
    means "not given" and clears the value; a new row gets the defaults."""
    run(example)
    path = tmp_path / "hospitals.csv"
    path.write_text(
        "code,name,region_code,kind\n"
        "BJ-FRIENDSHIP,Beijing Friendship Hospital (Xicheng),110000,general\n"
        "SH-RENJI,Renji Hospital,310000,general\n"
        "NEW-HOSP,A new hospital,310000,general\n",
        encoding="utf-8",
    )
    report = run(path)
    assert report.ok, [str(e) for e in report.errors]
    assert report.counts["hospitals.csv"] == {"created": 1, "updated": 1, "unchanged": 1}
    friendship = Hospital.objects.get(code="BJ-FRIENDSHIP")
    assert (friendship.name, friendship.name_zh, friendship.grade) == (
        "Beijing Friendship Hospital (Xicheng)", "北京友谊医院", "3A"
    )
    assert Hospital.objects.get(code="NEW-HOSP").name_zh == ""
    assert run(path).counts["hospitals.csv"] == {"created": 0, "updated": 0, "unchanged": 3}

    path.write_text(
        "code,name,name_zh,region_code,grade,kind\n"
        "SH-RENJI,Renji Hospital,,310000,3A,general\n",
        encoding="utf-8",
    )
    assert run(path).counts["hospitals.csv"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert Hospital.objects.get(code="SH-RENJI").name_zh == ""


class Terminal(io.StringIO):
    """What a person's terminal would show."""

    def isatty(self):
        return True


@pytest.mark.parametrize("stderr, extra, bar", [
    (Terminal, [], True),
    (Terminal, ["--json"], False),  # the report is for a program: no bar beside it
    (io.StringIO, [], False),  # a log (cron, a pipe): no bar lines in it
])
def test_the_progress_bar_is_for_a_terminal(example, stderr, extra, bar):
    err = stderr()
    call_command("import_bundle", str(example), "--dry-run", *extra, stdout=io.StringIO(), stderr=err)
    assert (" rows" in err.getvalue()) is bar, err.getvalue()


def test_history_rows_carry_the_batch_and_user(example, admin_user):
    report, batch = service.run(example, user=admin_user)
    assert batch.sha256 and batch.file_name == "bundle"
    for model in MODELS:
        rows = model.history.all()
        assert rows.count() == model.objects.count()
        assert set(rows.values_list("import_batch", "history_user", "history_type").distinct()) == {
            (batch.pk, admin_user.pk, "+")
        }


def test_one_bad_row_in_the_last_file_leaves_every_table_unchanged(example):
    append(example, "indicators.csv", "LS-PEOPLES,2024-02,outpatient_visits,-1")
    report = run(example)
    assert report.error_count == 1 and report.errors[0].file == "indicators.csv"
    assert all(n == 0 for n in counts().values())
    assert all(n == 0 for n in history_counts().values())


def test_dry_run_reports_the_counts_and_writes_nothing(example):
    report = run(example, dry_run=True)
    assert report.ok and report.counts["regions.csv"]["created"] == 7
    assert all(n == 0 for n in counts().values())
    status, output = command(example, "--dry-run")
    assert status == 0 and "Dry run" in output
    assert not ImportBatch.objects.exists()


def test_command_imports_and_records_a_batch(example):
    status, output = command(example)
    assert status == 0 and "surgeries.csv" in output
    batch = ImportBatch.objects.get()
    assert batch.status == "done" and not batch.dry_run and batch.counts["regions.csv"]["created"] == 7


def test_failed_command_import_records_the_errors(example):
    append(example, "surgeries.csv", "S-9,2024-13-01,LS-PEOPLES,urology,x,1,open,local,,,,success,")
    status, output = command(example)
    assert status == 1 and "surgeries.csv:6 [date] '2024-13-01'" in output
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and batch.error_count == 1
    assert batch.errors[0]["column"] == "date"


def test_zip_with_files_at_its_root(tmp_path, example):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in example.iterdir():
            z.write(p, p.name)
    assert run(archive).ok and Surgery.objects.count() == 4


def test_zip_with_one_top_folder(tmp_path, example):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in example.iterdir():
            z.write(p, f"my-bundle/{p.name}")
    assert run(archive).ok and Rotation.objects.count() == 4


def test_xlsx_workbook_with_real_date_and_number_cells(tmp_path, example):
    import csv
    import datetime as dt

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for p in sorted(example.iterdir()):
        sheet = workbook.create_sheet(p.stem)
        with open(p, encoding="utf-8") as handle:
            for row in csv.reader(handle):
                cells = []
                for value in row:
                    if len(value) == 10 and value[4] == "-" and value[:4].isdigit():
                        value = dt.datetime.fromisoformat(value)  # a real date cell
                    elif value.isdigit() and p.stem in ("indicators", "surgeries"):
                        value = int(value)
                    cells.append(value)
                sheet.append(cells)
    path = tmp_path / "bundle.xlsx"
    workbook.save(path)
    report = run(path)
    assert report.ok, [str(e) for e in report.errors]
    assert str(Surgery.objects.get(ref="S-2024-0001").date) == "2024-03-12"
    assert IndicatorValue.objects.get(indicator="live_births").value == 188


def test_an_empty_extra_sheet_is_passed_over_and_a_filled_one_reported(tmp_path, world):
    """Excel's empty "Sheet1" is no part of the bundle; a sheet with content
    and an unknown name usually means a typo, and is reported."""
    import csv

    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"  # left empty, as Excel makes it
    sheet = workbook.create_sheet("consultations")
    with open(EXAMPLE / "consultations.csv", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    path = tmp_path / "bundle.xlsx"
    workbook.save(path)
    report = run(path)
    assert report.ok, [str(e) for e in report.errors]
    assert Consultation.objects.count() == 2

    workbook["Sheet1"]["A1"] = "notes for the coordinators"
    workbook.save(path)
    report = run(path)
    assert not report.ok and [e.file for e in report.errors] == ["Sheet1"]


def test_single_csv_file(tmp_path, world):
    path = tmp_path / "consultations.csv"
    shutil.copy(EXAMPLE / "consultations.csv", path)
    report = run(path)
    assert report.ok and Consultation.objects.count() == 2


def test_byte_order_mark_and_header_case_and_spaces(tmp_path, world):
    path = tmp_path / "consultations.csv"
    text = (EXAMPLE / "consultations.csv").read_text(encoding="utf-8")
    text = text.replace("ref,date,", " REF , Date ,", 1).replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    report = run(path)
    assert report.ok, [str(e) for e in report.errors]
    assert Consultation.objects.count() == 2


def test_rows_may_come_in_any_file_order_and_refer_to_later_regions(example):
    text = (example / "regions.csv").read_text().splitlines()
    (example / "regions.csv").write_text("\n".join([text[0], *reversed(text[1:])]) + "\n")
    assert run(example).ok
    assert Region.objects.get(code="653100").parent_id == "650000"


def test_dry_run_counts_match_the_import(example):
    run(example)
    replace(example, "surgeries.csv", "Percutaneous nephrolithotomy,3,", "Percutaneous nephrolithotomy,2,")
    append(example, "surgeries.csv", "S-9,2024-03-12,LS-PEOPLES,urology,TURP,2,open,local,,,,success,")
    dry = run(example, dry_run=True)
    real = run(example)
    assert dry.counts == real.counts
    assert real.counts["surgeries.csv"] == {"created": 1, "updated": 1, "unchanged": 3}


def test_bundle_describing_a_known_person_anew_updates_the_person(example):
    run(example)
    replace(example, "rotations.csv", "RJ-7781,Zhang Wei,", "RJ-7781,Zhang Wei (张伟),")
    report = run(example)
    assert report.counts["rotations.csv (people)"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert report.counts["rotations.csv"]["unchanged"] == 4
    assert Person.objects.get(code="RJ-7781").name == "Zhang Wei (张伟)"
    assert Person.history.filter(code="RJ-7781", history_type="~").count() == 1


def test_progress_file_of_a_batch_is_removed_when_it_finished(example, admin_user, settings, tmp_path):
    # The progress the status page shows while an import runs is tested with a
    # real background process in tests/aidtracker/test_import_failures.py.
    settings.MEDIA_ROOT = tmp_path / "media"
    batch = ImportBatch.objects.create(user=admin_user, file_name="bundle", sha256="x", dry_run=True)
    report, _batch = service.run(example, batch_id=batch.pk)
    assert report.ok and report.rows == 40
    assert service.read_progress(batch.pk) == {} and not service.progress_path(batch.pk).exists()
    batch.refresh_from_db()
    assert batch.status == "done" and batch.claimed_at is not None


TRICKY_SURGERIES = (
    'S-T1,2024-03-12,LS-PEOPLES,general_surgery,"  tab\there, back\\\\slash  ",1,open,local,,YES,y,success,007',
    'S-T2,2024-03-12,LS-PEOPLES,general_surgery,"two\nlines",2,open,local, BJ-LHASA-8 ,No,,death, 0 ',
    "S-T3,2024-03-13,LS-PEOPLES,general_surgery,plain,4,open,joint,,,,success,2147483647",
    "S-T4,2024-03-13,LS-PEOPLES,general_surgery,bad number,4,open,joint,,,,success,2147483648",
    "S-T5,2024-03-13,LS-PEOPLES,general_surgery,bad number,4,open,joint,,,,success,-1",
    "S-T6,2024-03-13,LS-PEOPLES,general_surgery,bad number,4,open,joint,,,,success,1\u0663",
    "S-T7,2024-02-30,LS-PEOPLES,general_surgery,bad date,4,open,joint,,,,success,",
    "S-T8,2024-03-13,LS-PEOPLES,general_surgery," + "x" * 201 + ",4,open,joint,,,,success,",
    "S-T9,2024-03-13,LS-PEOPLES,general_surgery,bad bool,4,open,joint,,maybe,,success,",
    "S T10,2024-03-13,NOWHERE,general_surgery,bad key and hospital,5,open,joint,,,,success,",
)


@pytest.mark.parametrize("quick", [True, False], ids=["quick path", "general path"])
def test_quick_path_for_plain_rows_reads_and_reports_as_the_general_path(example, monkeypatch, quick):
    """Surgeries go through a generated function per file (FileImport._fast_row);
    every row it is unsure of takes the general path. Both must give the same
    errors, and the same stored values for the rows that pass."""
    from interchange.handlers import FileImport

    if not quick:
        monkeypatch.setattr(FileImport, "_fast_row", lambda self, plan, defaults: None)
    append(example, "surgeries.csv", *TRICKY_SURGERIES)
    report = run(example)
    assert [(e.line, e.column, e.value) for e in report.errors] == [
        (9, "blood_loss_ml", "2147483648"),
        (10, "blood_loss_ml", "-1"),
        (11, "blood_loss_ml", "1\u0663"),
        (12, "date", "2024-02-30"),
        (13, "procedure", "x" * 100 + "… (201 characters)"),  # the report keeps 100 of them
        (14, "demonstration", "maybe"),
        (15, "ref", "S T10"),
        (15, "hospital_code", "NOWHERE"),
        (15, "grade", "5"),
    ]
    for line in range(9, 16):
        replace(example, "surgeries.csv", TRICKY_SURGERIES[line - 6] + "\n", "")
    report = run(example)
    assert report.ok, [str(e) for e in report.errors]
    rows = {
        s.ref: (s.procedure, s.grade, s.team_id, s.demonstration, s.first_in_region, s.blood_loss_ml)
        for s in Surgery.objects.filter(ref__startswith="S-T")
    }
    assert rows == {
        "S-T1": ("tab\there, back\\\\slash", 1, None, True, True, 7),
        "S-T2": ("two\nlines", 2, "BJ-LHASA-8", False, False, 0),
        "S-T3": ("plain", 4, None, False, False, 2147483647),
    }
    assert Surgery.history.filter(ref__startswith="S-T").count() == 3
