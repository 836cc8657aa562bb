"""Every error class of issue 3 is reported with file, line, column, value and
what was expected; none ends in a traceback; nothing is written."""

import zipfile

import pytest

from deployments.models import Rotation
from hospitals.models import Region
from outcomes.models import Surgery
from tests import factories as f

from .conftest import append, command, only_error, replace, run, write

pytestmark = pytest.mark.django_db

SURGERY = "S-9,2024-03-12,LS-PEOPLES,general_surgery,Appendectomy,2,open,local,,no,no,success,"


def test_unknown_column_is_an_error(example):
    replace(example, "surgeries.csv", "blood_loss_ml", "blood_los_ml")
    report = run(example)
    e = only_error(report, file="surgeries.csv", line=1, column="blood_los_ml", value="blood_los_ml")
    assert "blood_loss_ml" in e.message  # names the columns that exist
    assert not Surgery.objects.exists()


def test_missing_required_column_is_an_error(example):
    write(example, "consultations.csv", "ref,date,requesting_hospital_code,consulting_hospital_code,specialty\n"
          "C-1,2024-01-02,XG-PEOPLES,SH-RENJI,urology\n")
    e = only_error(run(example), file="consultations.csv", line=1, column="mode")
    assert "required column" in e.message


def test_missing_required_value_is_an_error(example):
    append(example, "surgeries.csv", "S-9,2024-03-12,LS-PEOPLES,general_surgery,,2,open,local,,,,success,")
    e = only_error(run(example), file="surgeries.csv", line=6, column="procedure", value="")
    assert "required" in e.message


def test_bad_date_is_an_error(example):
    append(example, "surgeries.csv", SURGERY.replace("2024-03-12", "2024-02-30"))
    e = only_error(run(example), file="surgeries.csv", line=6, column="date", value="2024-02-30")
    assert "YYYY-MM-DD" in e.message


def test_bad_period_is_an_error(example):
    append(example, "indicators.csv", "LS-PEOPLES,2024-13,outpatient_visits,5")
    e = only_error(run(example), file="indicators.csv", line=5, column="period", value="2024-13")
    assert "YYYY-MM" in e.message


def test_a_whole_date_for_a_month_says_how_to_keep_a_workbook_from_making_one(example):
    append(example, "indicators.csv", "LS-PEOPLES,2024-03-01,outpatient_visits,5")
    e = only_error(run(example), file="indicators.csv", line=5, column="period", value="2024-03-01")
    assert "not a whole date" in e.message and "format the column as Text" in e.message


@pytest.mark.parametrize("value", ["1,200", "12a", "1.5"])
def test_bad_integer_is_an_error(example, value):
    append(example, "surgeries.csv", SURGERY + f'"{value}"')
    only_error(run(example), file="surgeries.csv", line=6, column="blood_loss_ml", value=value)


def test_bad_decimal_is_an_error(example):
    append(example, "indicators.csv", "LS-PEOPLES,2024-02,outpatient_visits,\"1,5\"")
    e = only_error(run(example), file="indicators.csv", line=5, column="value", value="1,5")
    assert "'.'" in e.message


def test_negative_number_is_an_error_in_the_models_words(example):
    append(example, "referrals.csv", "RF-9,2024-02-03,transfer_in,540200,LS-PEOPLES,neonate,-3,,")
    e = only_error(run(example), file="referrals.csv", line=5, column="distance_km", value="-3")
    assert e.message == "Numbers must not be negative."


def test_bad_boolean_is_an_error(example):
    append(example, "surgeries.csv", SURGERY.replace(",no,no,", ",maybe,no,"))
    e = only_error(run(example), file="surgeries.csv", line=6, column="demonstration", value="maybe")
    assert "yes or no" in e.message


def test_bad_code_is_an_error(example):
    append(example, "surgeries.csv", SURGERY.replace(",open,", ",Open,"))
    e = only_error(run(example), file="surgeries.csv", line=6, column="approach", value="Open")
    assert "laparoscopic" in e.message


def test_bad_surgery_grade_uses_the_models_message(example):
    append(example, "surgeries.csv", SURGERY.replace(",2,open", ",5,open"))
    e = only_error(run(example), file="surgeries.csv", line=6, column="grade", value="5")
    assert e.message == "The surgery grade is 1, 2, 3 or 4."


def test_unknown_reference_is_an_error(example):
    append(example, "surgeries.csv", SURGERY.replace("LS-PEOPLES", "LS-PEOPLE"))
    e = only_error(run(example), file="surgeries.csv", line=6, column="hospital_code", value="LS-PEOPLE")
    assert "hospital" in e.message


def test_reference_to_a_row_already_in_the_database_is_fine(tmp_path, world):
    folder = tmp_path / "b"
    folder.mkdir()
    write(folder, "surgeries.csv", "ref,date,hospital_code,specialty,procedure,grade,approach,lead,outcome\n"
          "S-1,2024-01-02,LS-PEOPLES,urology,TURP,3,endoscopic,joint,success\n")
    report = run(folder)
    assert report.ok, report.errors
    assert Surgery.objects.get(ref="S-1").hospital_id == "LS-PEOPLES"


def test_key_twice_in_one_bundle_is_an_error(example):
    append(example, "surgeries.csv", SURGERY.replace("S-9", "S-2024-0002"))
    e = only_error(run(example), file="surgeries.csv", line=6, column="ref", value="S-2024-0002")
    assert "line 3" in e.message


def test_key_twice_is_reported_when_the_rows_have_other_errors_too(example):
    """Rows with errors are not staged; their keys still count (every error)."""
    # line 6: a bad date, with the key of line 3 (a good row)
    append(example, "surgeries.csv", SURGERY.replace("S-9", "S-2024-0002").replace("2024-03-12", "2024-02-30"))
    # lines 7 and 8: two bad grades, one key
    append(example, "surgeries.csv", SURGERY.replace("S-9", "S-BAD").replace(",2,open", ",9,open"))
    append(example, "surgeries.csv", SURGERY.replace("S-9", "S-BAD").replace(",2,open", ",9,open"))
    # line 9: a good row with the key of the bad row on line 7
    append(example, "surgeries.csv", SURGERY.replace("S-9", "S-BAD"))
    report = run(example)
    twice = sorted((e.line, e.value, e.message) for e in report.errors if e.column == "ref")
    assert twice == [
        (6, "S-2024-0002", "a key that appears once per bundle; line 3 has it already"),
        (8, "S-BAD", "a key that appears once per bundle; line 7 has it already"),
        (9, "S-BAD", "a key that appears once per bundle; line 7 has it already"),
    ]
    assert report.error_count == 3 + 3  # and the date and the two grades
    assert not Surgery.objects.filter(ref="S-BAD").exists()


def test_composite_key_twice_is_an_error(example):
    append(example, "twinnings.csv", "SH-XIGAZE,urology,SH-RENJI,2017-01-01,")
    only_error(run(example), file="twinnings.csv", line=4, value="SH-XIGAZE + urology + SH-RENJI")


def test_dates_out_of_order_are_an_error(example):
    replace(example, "teams.csv", "Ninth Group,9,2024-07-01,2025-06-30", "Ninth Group,9,2024-07-01,2024-06-30")
    report = run(example)
    e = report.errors[0]
    assert (e.file, e.line, e.column, e.value) == ("teams.csv", 3, "end_date", "2024-06-30")
    assert e.message == "The end date must not be before the start date."


def test_rotations_overlapping_inside_the_bundle_are_an_error(example):
    replace(example, "rotations.csv", "BJ-LHASA-9,BJF-0042,Wang Lei,BJ-FRIENDSHIP,general_surgery,chief,leader,2024-07-01",
            "BJ-LHASA-9,BJF-0042,Wang Lei,BJ-FRIENDSHIP,general_surgery,chief,leader,2024-06-01")
    e = only_error(run(example), file="rotations.csv", line=3, column="start_date", value="2024-06-01")
    assert "one person's rotations may not overlap" in e.message
    assert "BJ-LHASA-8 (line 2)" in e.message


def test_rotation_overlapping_one_in_the_database_is_an_error(tmp_path, world):
    team = f.TeamFactory(code="OLD-TEAM", program=world.bj_lhasa, batch=1)
    person = f.PersonFactory(code="BJF-0042", name="Wang Lei", home_hospital=world.bj_friendship)
    f.RotationFactory(team=team, person=person, start_date="2024-01-01", end_date="2024-06-30")
    folder = tmp_path / "b"
    folder.mkdir()
    write(folder, "teams.csv", "code,program_code,name,batch,start_date,end_date\n"
          "NEW-TEAM,BJ-LHASA,New,2,2024-05-01,2024-12-31\n")
    write(folder, "rotations.csv", "team_code,person_id,person_name,home_hospital_code,specialty,title,role,start_date,end_date\n"
          "NEW-TEAM,BJF-0042,Wang Lei,BJ-FRIENDSHIP,urology,chief,member,2024-05-01,2024-12-31\n")
    e = only_error(run(folder), file="rotations.csv", line=2, column="start_date", value="2024-05-01")
    assert e.message == (
        "BJF-0042 already has a rotation from 2024-01-01 to 2024-06-30 with OLD-TEAM "
        "(already in the database); one person's rotations may not overlap."
    )
    assert Rotation.objects.count() == 1


@pytest.mark.parametrize("column,old,new", [
    ("person_name", "BJF-0042,Wang Lei,BJ-FRIENDSHIP,general_surgery,chief,leader,2024-07-01",
     "BJF-0042,Wang Li,BJ-FRIENDSHIP,general_surgery,chief,leader,2024-07-01"),
    ("home_hospital_code", "BJF-0042,Wang Lei,BJ-FRIENDSHIP,general_surgery,chief,leader,2024-07-01",
     "BJF-0042,Wang Lei,SH-RENJI,general_surgery,chief,leader,2024-07-01"),
])
def test_person_described_differently_on_two_rows_is_an_error(example, column, old, new):
    replace(example, "rotations.csv", old, new)
    e = only_error(run(example), file="rotations.csv", line=3, column=column)
    assert "line 2" in e.message and "BJF-0042" in e.message


@pytest.mark.parametrize("column,new", [
    ("trainee_name", "TR-0002,LS-D-015,Tsering Drolma,LS-PEOPLES,general_surgery,doctor,"),
    ("hospital_code", "TR-0002,LS-D-015,Tsering Dolma,XG-PEOPLES,general_surgery,doctor,"),
    ("role", "TR-0002,LS-D-015,Tsering Dolma,LS-PEOPLES,general_surgery,nurse,"),
])
def test_trainee_described_differently_on_two_rows_is_an_error(example, column, new):
    replace(example, "trainings.csv", "TR-0002,LS-D-015,Tsering Dolma,LS-PEOPLES,general_surgery,doctor,", new)
    e = only_error(run(example), file="trainings.csv", line=3, column=column)
    assert "LS-D-015" in e.message


def test_further_study_without_a_host_is_an_error(example):
    replace(example, "trainings.csv", "further_study,BJ-FRIENDSHIP,", "further_study,,")
    e = only_error(run(example), file="trainings.csv", line=3, column="host_hospital_code", value="")
    assert e.message == "A host hospital is required for further study, and only for further study."


def test_host_for_another_kind_is_an_error(example):
    replace(example, "trainings.csv", "mentorship,,", "mentorship,SH-RENJI,")
    e = only_error(run(example), file="trainings.csv", line=2, column="host_hospital_code", value="SH-RENJI")
    assert "only for further study" in e.message


def test_donor_region_below_province_is_an_error(example):
    replace(example, "programs.csv", "group_aid,110000,", "group_aid,540100,")
    e = only_error(run(example), file="programs.csv", line=2, column="donor_region_code", value="540100")
    assert e.message == "The donor region must be province-level; 540100 Lhasa is a prefecture."


def test_region_parent_not_one_level_up_is_an_error(example):
    append(example, "regions.csv", "540102,Chengguan,,county,540000")
    e = only_error(run(example), file="regions.csv", line=9, column="parent_code", value="540000")
    assert e.message == (
        "The parent of a county must be a prefecture; 540000 Tibet Autonomous Region is a province."
    )
    assert not Region.objects.exists()


def test_province_with_a_parent_is_an_error(example):
    append(example, "regions.csv", "620000,Gansu,,province,110000")
    e = only_error(run(example), file="regions.csv", line=9, column="parent_code", value="110000")
    assert "has no parent" in e.message


def test_team_batch_twice_in_a_program_is_an_error(example):
    append(example, "teams.csv", "BJ-LHASA-X,BJ-LHASA,Another,9,2025-07-01,2026-06-30")
    e = only_error(run(example), file="teams.csv", line=5, column="batch", value="9")
    assert "already has a team with this batch number" in e.message


def test_referral_end_of_the_wrong_kind_is_an_error(example):
    append(example, "referrals.csv", "RF-9,2024-02-03,transfer_in,540200,540100,neonate,,,")
    e = only_error(run(example), file="referrals.csv", line=5, column="destination", value="540100")
    assert "Origin and destination do not fit the kind" in e.message


def test_csv_that_is_not_utf8_is_an_error(example):
    (example / "hospitals.csv").write_bytes(
        "code,name,name_zh,region_code,grade,kind\nBJ-FRIENDSHIP,Beijing Friendship Hospital,北京友谊医院,110000,3A,general\n".encode("gb18030")
    )
    report = run(example)
    errors = [e for e in report.errors if e.file == "hospitals.csv"]
    assert errors and "UTF-8" in errors[0].message and errors[0].line == 2
    status, output = command(example)
    assert status == 1 and "hospitals.csv:2" in output


def test_damaged_zip_is_unusable(tmp_path, example):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(example.iterdir()):
            z.write(p, p.name)
    data = archive.read_bytes()
    (tmp_path / "damaged.zip").write_bytes(data[: len(data) // 2])
    status, output = command(tmp_path / "damaged.zip")
    assert status == 2 and "zip" in output and "Traceback" not in output


def test_damaged_zip_member_is_unusable(tmp_path, example):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as z:
        z.write(example / "regions.csv", "regions.csv")
    data = bytearray(archive.read_bytes())
    data[40] ^= 0xFF  # a byte inside the stored member: its CRC no longer matches
    archive.write_bytes(bytes(data))
    status, output = command(archive)
    assert status == 2 and "damaged" in output


def test_damaged_xlsx_is_unusable(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 this is no workbook")
    status, output = command(tmp_path / "broken.xlsx")
    assert status == 2 and "xlsx" in output


def test_missing_path_and_non_bundle_are_unusable(tmp_path):
    assert command(tmp_path / "nothing-here")[0] == 2
    (tmp_path / "notes.txt").write_text("hello")
    assert command(tmp_path / "notes.txt")[0] == 2
    (tmp_path / "patients.csv").write_text("a,b\n")
    assert command(tmp_path / "patients.csv")[0] == 2


def test_unknown_file_in_a_folder_is_an_error(example):
    write(example, "surgerys.csv", "ref\n")
    e = only_error(run(example), file="surgerys.csv")
    assert "surgeries.csv" in e.message


def test_every_error_is_reported_not_only_the_first(example):
    append(example, "surgeries.csv", *[SURGERY.replace("S-9", f"S-X{i}").replace(",open,", ",opne,") for i in range(5)])
    append(example, "indicators.csv", "LS-PEOPLES,2024-1,outpatient_visits,5")
    replace(example, "regions.csv", "650000,Xinjiang Uygur Autonomous Region,新疆维吾尔自治区,province,",
            "650000,Xinjiang Uygur Autonomous Region,新疆维吾尔自治区,provinse,")
    report = run(example)
    assert report.error_count == 7
    assert [(e.file, e.line) for e in report.errors] == [
        ("regions.csv", 7), *[("surgeries.csv", n) for n in range(6, 11)], ("indicators.csv", 5)
    ]
    status, output = command(example)
    assert status == 1 and output.startswith("7 errors; nothing was written.")


def test_the_broken_example_bundle_is_reported_completely(tmp_path):
    from pathlib import Path

    broken = Path(__file__).resolve().parents[2] / "docs" / "example-bundle-broken"
    report = run(broken)
    assert [(e.file, e.line, e.column) for e in report.errors] == [
        ("regions.csv", 6, "parent_code"),
        ("programs.csv", 2, "donor_region_code"),
        ("teams.csv", 3, "end_date"),
        ("rotations.csv", 3, "start_date"),
        ("rotations.csv", 4, "specialty"),
        ("surgeries.csv", 4, "date"),
        ("surgeries.csv", 4, "demonstration"),
        ("surgeries.csv", 5, "ref"),
        ("trainings.csv", 3, "host_hospital_code"),
        ("trainings.csv", 3, "trainee_name"),
        ("referrals.csv", 4, "origin"),
        ("consultations.csv", 1, "mod"),
        ("consultations.csv", 1, "mode"),
        ("indicators.csv", 4, "hospital_code"),
        ("indicators.csv", 4, "period"),
    ]
    assert not Region.objects.exists() and not Surgery.objects.exists()
