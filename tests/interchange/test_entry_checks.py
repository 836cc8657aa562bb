"""Checks at entry in the importer, the same rules as the forms'
(tests/outcomes/test_entry_checks.py): an event dated after today is an
error with its file, line, column and value, and nothing is written."""

import datetime as dt

import pytest
from django.utils import timezone

from deployments.models import Rotation
from outcomes.models import Consultation, IndicatorValue, Referral, Surgery, Technique, Training

from .conftest import append, command, only_error, replace, run

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


def test_the_command_reports_a_future_date_and_exits_with_1(example):
    replace(example, "consultations.csv", "2024-04-02", tomorrow())
    status, out = command(example)
    assert status == 1
    assert f"consultations.csv:2 [date] '{tomorrow()}': Not after today" in out
