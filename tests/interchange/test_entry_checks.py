"""Checks at entry in the importer, the same rules as the forms'
(tests/outcomes/test_entry_checks.py): an event dated after today is an
error with its file, line, column and value, and nothing is written;
quality warnings (a surgery when its team was not in the field or under
another hospital's team, a rotation outside its team's dates) are listed
with their file and line, in a dry run too, and do not stop the import."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from deployments.models import Rotation
from interchange import service
from outcomes.models import Consultation, IndicatorValue, Referral, Surgery, Technique, Training

from .conftest import append, command, only_error, replace, run, write

pytestmark = pytest.mark.django_db


def tomorrow():
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def next_month():
    today = timezone.localdate()
    return (today.replace(day=28) + dt.timedelta(days=4)).strftime("%Y-%m")


# file, the example's cell on line 2, the column, the model that would get the row
EVENT_DATES = [
    ("surgeries.csv", "2024-03-12", "date", Surgery),
    ("techniques.csv", "2024-03-15", "introduced_on", Technique),
    ("referrals.csv", "2024-02-03", "date", Referral),
    ("consultations.csv", "2024-04-02", "date", Consultation),
    ("trainings.csv", "2024-05-15", "independent_on", Training),
]


@pytest.mark.parametrize(("name", "old", "column", "model"), EVENT_DATES)
def test_an_event_dated_after_today_is_refused_where_it_is(example, name, old, column, model):
    replace(example, name, old, tomorrow())
    e = only_error(run(example), file=name, line=2, column=column, value=tomorrow())
    assert e.message.startswith(f"Not after today ({timezone.localdate().isoformat()})")
    assert not model.objects.exists()
    assert not Rotation.objects.exists()  # nothing at all is written


def test_an_indicator_of_a_month_after_this_one_is_refused(example):
    replace(example, "indicators.csv", "2024-01", next_month())
    e = only_error(run(example), file="indicators.csv", line=2, column="period", value=next_month())
    assert "Not after today" in e.message
    assert not IndicatorValue.objects.exists()


def test_today_and_this_month_are_accepted(example):
    today = timezone.localdate()
    replace(example, "surgeries.csv", "2024-03-12", today.isoformat())
    replace(example, "indicators.csv", "2024-01", today.strftime("%Y-%m"))
    report = run(example)
    assert report.ok, [str(e) for e in report.errors]
    assert Surgery.objects.filter(date=today).count() == 1


def test_a_second_future_date_of_a_repeated_value_is_refused_too(example):
    # Dates seen before take a shortcut past the calendar check: not past this one.
    append(example, "surgeries.csv",
           f"S-8,{tomorrow()},LS-PEOPLES,general_surgery,Appendectomy,2,open,local,,no,no,success,",
           f"S-9,{tomorrow()},LS-PEOPLES,general_surgery,Appendectomy,2,open,local,,no,no,success,")
    report = run(example)
    assert [(e.file, e.line, e.column) for e in report.errors] == [
        ("surgeries.csv", 6, "date"), ("surgeries.csv", 7, "date")]


def test_planned_teams_rotations_and_trainings_may_lie_ahead(example):
    start, end = tomorrow(), (timezone.localdate() + dt.timedelta(days=200)).isoformat()
    append(example, "teams.csv", f"BJ-LHASA-99,BJ-LHASA,Planned Group,99,{start},{end}")
    append(example, "rotations.csv",
           f"BJ-LHASA-99,BJF-0500,Zhao Min,BJ-FRIENDSHIP,cardiology,attending,member,{start},{end}")
    append(example, "trainings.csv",
           f"TR-0099,LS-D-099,Pema,LS-PEOPLES,cardiology,doctor,onsite_course,,BJ-LHASA,{start},{end},,ongoing,,")
    report = run(example)
    assert report.ok, [str(e) for e in report.errors]
    assert report.warning_count == 0


def test_the_command_reports_a_future_date_and_exits_with_1(example):
    replace(example, "consultations.csv", "2024-04-02", tomorrow())
    status, out = command(example)
    assert status == 1
    assert f"consultations.csv:2 [date] '{tomorrow()}': Not after today" in out


# --- quality warnings ----------------------------------------------------------------

OUT_OF_FIELD = "S-W1,2025-08-05,LS-PEOPLES,general_surgery,Appendectomy,2,open,joint,BJ-LHASA-8,no,no,success,"
OTHER_HOSPITAL = "S-W2,2024-03-20,LS-PEOPLES,general_surgery,Appendectomy,2,open,joint,SH-XIGAZE-3,no,no,success,"
ROTATION_OUTSIDE = (
    "BJ-LHASA-8,BJF-0300,Sun Jie,BJ-FRIENDSHIP,cardiology,attending,member,2024-05-01,2024-08-31"
)


def with_warnings(example):
    append(example, "surgeries.csv", OUT_OF_FIELD, OTHER_HOSPITAL)
    append(example, "rotations.csv", ROTATION_OUTSIDE)


def listed(report):
    return [(w.file, w.line, w.column, w.value) for w in report.warnings]


def test_warnings_are_listed_with_file_and_line_and_the_import_proceeds(example):
    with_warnings(example)
    report = run(example)
    assert report.ok and report.error_count == 0
    assert report.warning_count == 3
    assert listed(report) == [
        ("rotations.csv", 6, "start_date", "2024-05-01 – 2024-08-31"),
        ("surgeries.csv", 6, "date", "2025-08-05"),
        ("surgeries.csv", 7, "team_code", "SH-XIGAZE-3"),
    ]
    rotation, out_of_field, other = report.warnings
    assert rotation.message == (
        "This rotation (2024-05-01 – 2024-08-31) lies outside the dates of its team BJ-LHASA-8 "
        "(2023-07-01 – 2024-06-30)."
    )
    assert out_of_field.message == (
        "Team BJ-LHASA-8 was not in the field on 2025-08-05 (it was from 2023-07-01 to 2024-06-30)."
    )
    assert other.message == "Team SH-XIGAZE-3 works at XG-PEOPLES, not at LS-PEOPLES where this surgery was."
    assert Surgery.objects.filter(ref__in=["S-W1", "S-W2"]).count() == 2
    assert Rotation.objects.filter(person="BJF-0300").exists()


def test_the_importers_warnings_agree_with_the_querysets_and_the_records(example):
    with_warnings(example)
    report = run(example)
    warned = {w.value for w in report.warnings if w.file == "surgeries.csv"}
    assert set(Surgery.objects.outside_team_dates().values_list("date", flat=True)) == {dt.date(2025, 8, 5)}
    assert set(Surgery.objects.team_of_other_hospital().values_list("team", flat=True)) == {"SH-XIGAZE-3"}
    assert warned == {"2025-08-05", "SH-XIGAZE-3"}
    assert list(Rotation.objects.outside_team_dates().values_list("person", flat=True)) == ["BJF-0300"]
    # The records' own rule (the forms') says the same, row by row.
    assert {s.ref for s in Surgery.objects.all() if s.quality_warnings()} == {"S-W1", "S-W2"}
    assert {r.person_id for r in Rotation.objects.all() if r.quality_warnings()} == {"BJF-0300"}


def test_a_dry_run_lists_the_warnings_and_writes_nothing(example):
    with_warnings(example)
    report = run(example, dry_run=True)
    assert report.ok and report.warning_count == 3
    assert listed(report)[1] == ("surgeries.csv", 6, "date", "2025-08-05")
    assert not Surgery.objects.exists()


def test_warnings_compare_with_the_teams_in_the_database_and_as_the_bundle_changes_them(example):
    run(example)
    # A bundle of surgeries alone: the team's dates come from the database ...
    bundle = example.parent / "surgeries-only"
    bundle.mkdir()
    write(bundle, "surgeries.csv", (example / "surgeries.csv").read_text(encoding="utf-8"))
    append(bundle, "surgeries.csv", OUT_OF_FIELD)
    assert listed(run(bundle)) == [("surgeries.csv", 6, "date", "2025-08-05")]
    # ... and from the bundle when it changes the team: here it stays until 2025-12-31.
    replace(example, "teams.csv", "BJ-LHASA-8,BJ-LHASA,Eighth Group,8,2023-07-01,2024-06-30",
            "BJ-LHASA-8,BJ-LHASA,Eighth Group,8,2023-07-01,2025-12-31")
    append(example, "surgeries.csv", OUT_OF_FIELD)
    report = run(example)
    assert report.ok and report.warning_count == 0


def test_warnings_do_not_hide_errors_and_errors_still_stop_the_import(example):
    with_warnings(example)
    replace(example, "consultations.csv", "2024-04-02", tomorrow())
    report = run(example)
    assert report.error_count == 1 and report.warning_count == 3
    assert not Surgery.objects.exists()


def test_the_batch_page_and_the_command_list_the_warnings(example, admin_user, client):
    with_warnings(example)
    report, batch = service.run(example, user=admin_user)
    assert batch.error_count == 0
    client.force_login(admin_user)
    page = client.get(reverse("interchange:batch", args=[batch.pk])).content.decode()
    assert "3 warnings: these rows are imported all the same; check them." in page
    assert "Team BJ-LHASA-8 was not in the field on 2025-08-05" in page
    assert "Imported." in page
    status, out = command(example)
    assert status == 0
    assert "3 warnings (the rows are imported; check them):" in out
    assert "surgeries.csv:7 [team_code] 'SH-XIGAZE-3': Team SH-XIGAZE-3 works at XG-PEOPLES" in out


def test_the_json_report_gives_the_warnings(example):
    with_warnings(example)
    status, out = command(example, "--dry-run", "--json")
    found = json.loads(out)
    assert status == 0 and found["ok"] and found["warning_count"] == 3
    assert found["warnings"][0] == {
        "file": "rotations.csv", "line": 6, "column": "start_date", "value": "2024-05-01 – 2024-08-31",
        "message": (
            "This rotation (2024-05-01 – 2024-08-31) lies outside the dates of its team BJ-LHASA-8 "
            "(2023-07-01 – 2024-06-30)."
        ),
        "warning": True,
    }
    assert not Surgery.objects.exists()
