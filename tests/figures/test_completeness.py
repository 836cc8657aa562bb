"""Data completeness (figures/completeness.py) on a small world built by
hand, with every expected number counted by hand in the comments.

The world is built around `last`, the last full month (2024-04 when today is
2024-05-15); M1..M4 are the four months up to it (2024-01 .. 2024-04). The
page tests (tests/dashboards/test_completeness_page.py) build the same world
around today's last full month and expect the same numbers.

Recipient hospitals in Tibet, by name:
- Lhasa People's Hospital (BJ-LHASA, since 2015-08): has ever reported 3
  indicators (neonatal deaths once, in 2023-06; outpatient visits and live
  births since), so 3 reports are expected a month.
    M1: outpatient visits, live births, neonatal deaths -> 3/3 = 100.0
    M2: outpatient visits                               -> 1/3 =  33.3
    M3: nothing                                         -> 0/3 =   0.0
    M4: outpatient visits, live births                  -> 2/3 =  66.7
    (the current month's outpatient visits are not a full month: not shown)
    Row: 6/12 = 50.0.
    Surgeries: 2 on M1's last day, 1 on M2's first, 1 on M4's last day -> 2, 1, 0, 1
      (one in the month before M1 and one in the current month are outside).
    Trainings of its staff by start: one begun the month before M1 (running
      through M1: not counted), one begun in M2 -> 0, 1, 0, 0.
- Pulan County People's Hospital (a program from M3's 20th): reported
  outpatient visits once, in M2 (before its program, but reported), so 1
  report is expected a month, from M3 on.
    M1, M2: before its first program -> no cell
    M3: nothing -> 0/1 = 0.0;  M4: outpatient visits -> 1/1 = 100.0
    Row: 1/2 = 50.0.
- Xigaze People's Hospital (SH-XIGAZE, since 2016-07): has reported nothing,
  so all 7 indicators are expected: 0/7 = 0.0 every month; row 0/28 = 0.0.
    Surgeries: 1 in M3 (by a Lhasa team: a warning).

All hospitals, per month (sum of actual / sum of expected):
    M1: (3 + 0) / (3 + 7)     = 3/10 = 30.0
    M2: (1 + 0) / (3 + 7)     = 1/10 = 10.0
    M3: (0 + 0 + 0) / (3+1+7) = 0/11 =  0.0
    M4: (2 + 1 + 0) / (3+1+7) = 3/11 = 27.3

Quality warnings (team BJ-LHASA-1 in the field from M1's first day to two
months after `last`):
- a Lhasa surgery of that team in the month before M1: not in the field;
- the Xigaze surgery of that team in M3: the team works at Lhasa;
- a rotation of that team running past the team's end.
"""

import datetime as dt

import pytest

from aidtracker.lib.periods import add_months, month_end
from deployments.models import Program
from figures.completeness import (
    completeness,
    last_full_month,
    month_totals,
    quality_warnings,
    recipient_hospitals,
    span,
)
from tests import factories as f

TODAY = dt.date(2024, 5, 15)


def build(world, last):
    """The world of the module's docstring around `last` (a first day);
    returns (M1..M4 as first days, the warnings' records by name)."""
    m = [add_months(last, k) for k in (-3, -2, -1, 0)]
    before, current = add_months(m[0], -1), add_months(last, 1)
    lhasa, xigaze, pulan = world.lhasa_peoples, world.xigaze_peoples, world.pulan
    Program.objects.create(
        code="BJ-PULAN", name="Beijing aid to Pulan", kind="group_aid", donor_region=world.beijing,
        recipient_hospital=pulan, start_date=m[2].replace(day=20),
    )

    def report(hospital, month, *codes):
        for code in codes:
            f.IndicatorValueFactory(hospital=hospital, period=month, indicator=code)

    report(lhasa, dt.date(2023, 6, 1), "neonatal_deaths")
    report(lhasa, m[0], "outpatient_visits", "live_births", "neonatal_deaths")
    report(lhasa, m[1], "outpatient_visits")
    report(lhasa, m[3], "outpatient_visits", "live_births")
    report(lhasa, current, "outpatient_visits")
    report(pulan, m[1], "outpatient_visits")
    report(pulan, m[3], "outpatient_visits")

    team = f.TeamFactory(code="BJ-LHASA-1", program=world.bj_lhasa, start_date=m[0],
                         end_date=month_end(add_months(last, 2)))
    for day in (month_end(m[0]), month_end(m[0]), m[1], month_end(m[3])):
        f.SurgeryFactory(hospital=lhasa, date=day, team=team)
    f.SurgeryFactory(hospital=lhasa, date=current)  # the current month: not shown
    not_in_field = f.SurgeryFactory(ref="S-EARLY", hospital=lhasa, date=before.replace(day=15), team=team)
    elsewhere = f.SurgeryFactory(ref="S-XIGAZE", hospital=xigaze, date=m[2].replace(day=5), team=team)

    trainee = f.TraineeFactory(hospital=lhasa)
    f.TrainingFactory(trainee=trainee, start_date=before.replace(day=20), end_date=month_end(m[0]))
    f.TrainingFactory(trainee=trainee, start_date=m[1].replace(day=10), end_date=month_end(m[2]))

    person = f.PersonFactory(home_hospital=world.bj_friendship)
    f.RotationFactory(team=team, person=person, start_date=m[0], end_date=month_end(m[2]))
    late = f.RotationFactory(team=team, person=f.PersonFactory(home_hospital=world.bj_friendship),
                             start_date=m[3], end_date=team.end_date + dt.timedelta(days=10))
    return m, {"not_in_field": not_in_field, "elsewhere": elsewhere, "late": late}


def _grid(world, months, programs=None):
    programs = programs or Program.objects.for_recipient_region(world.tibet)
    hospitals = list(recipient_hospitals(programs))
    return completeness(hospitals, months, TODAY)


def rates(row):
    return [cell.rate if cell else None for cell in row.cells]


@pytest.fixture
def built(world):
    return build(world, last_full_month(TODAY))


def test_expected_actual_and_rate_per_hospital_and_month(world, built):
    months, _records = built
    assert months == [dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1)]
    lhasa, pulan, xigaze = _grid(world, months)
    assert [r.hospital.code for r in (lhasa, pulan, xigaze)] == ["LS-PEOPLES", "PL-COUNTY", "XG-PEOPLES"]
    assert lhasa.expected == 3 and pulan.expected == 1 and xigaze.expected == 7
    assert [c.actual for c in lhasa.cells] == [3, 1, 0, 2]
    assert rates(lhasa) == [100.0, 33.3, 0.0, 66.7]
    assert (lhasa.actual_total, lhasa.expected_total, lhasa.rate) == (6, 12, 50.0)
    assert rates(pulan) == [None, None, 0.0, 100.0]  # its program began in M3
    assert (pulan.actual_total, pulan.expected_total, pulan.rate) == (1, 2, 50.0)
    assert rates(xigaze) == [0.0, 0.0, 0.0, 0.0]
    assert (xigaze.expected_total, xigaze.rate) == (28, 0.0)
    assert [c.band for c in lhasa.cells] == ["complete", "low", "none", "partial"]


def test_surgeries_and_trainings_logged_per_month(world, built):
    months, _records = built
    lhasa, pulan, xigaze = _grid(world, months)
    assert [c.surgeries for c in lhasa.cells] == [2, 1, 0, 1]
    assert [c.trainings for c in lhasa.cells] == [0, 1, 0, 0]  # by start: the one begun before M1 is not M1's
    assert [c.surgeries for c in xigaze.cells] == [0, 0, 1, 0]
    assert [c.surgeries for c in pulan.cells if c] == [0, 0]


def test_all_hospitals_rate_sums_actual_over_expected(world, built):
    months, _records = built
    rows = _grid(world, months)
    totals = month_totals(rows, months)
    assert [(t["actual"], t["expected"]) for t in totals] == [(3, 10), (1, 10), (0, 11), (3, 11)]
    assert [t["rate"] for t in totals] == [30.0, 10.0, 0.0, 27.3]


def test_the_span_runs_from_the_first_program_to_the_last_full_month(world, built):
    hospitals = list(recipient_hospitals(Program.objects.for_recipient_region(world.tibet)))
    # Lhasa's BJ-LHASA began on 2015-08-01; the last full month before 2024-05-15 is 2024-04.
    assert span(hospitals, TODAY) == (dt.date(2015, 8, 1), dt.date(2024, 4, 1))
    # Months after the last full one have no cell.
    rows = completeness(hospitals, [dt.date(2024, 4, 1), dt.date(2024, 5, 1)], TODAY)
    assert [cell is None for cell in rows[0].cells] == [False, True]


def test_a_program_narrows_to_its_recipient_hospital(world, built):
    months, _records = built
    rows = _grid(world, months, Program.objects.filter(code="BJ-LHASA"))
    assert [r.hospital.code for r in rows] == ["LS-PEOPLES"]
    assert rates(rows[0]) == [100.0, 33.3, 0.0, 66.7]


def test_open_quality_warnings_are_the_models_rules(world, built):
    months, records = built
    shown = [add_months(months[0], -1)] + months  # the early surgery's month too
    found = {w.key: w for w in quality_warnings(Program.objects.for_recipient_region(world.tibet), shown)}
    assert [r.ref for r in found["surgery_team_dates"].rows] == ["S-EARLY"]
    assert [r.ref for r in found["surgery_team_hospital"].rows] == ["S-XIGAZE"]
    assert [r.pk for r in found["rotation_team_dates"].rows] == [records["late"].pk]
    assert {k: w.count for k, w in found.items()} == {
        "surgery_team_dates": 1, "surgery_team_hospital": 1, "rotation_team_dates": 1,
    }
    # The same rule as the forms' confirmation (the record's own method).
    assert records["elsewhere"].quality_warnings() and records["not_in_field"].quality_warnings()
    # Xinjiang's programs have none of them.
    xinjiang = quality_warnings(Program.objects.for_recipient_region(world.xinjiang), shown)
    assert [w.count for w in xinjiang] == [0, 0, 0]


def test_warnings_are_those_of_the_months_shown(world, built):
    months, _records = built
    found = quality_warnings(Program.objects.filter(code="BJ-LHASA"), months)  # M1..M4: not the early surgery
    assert [w.count for w in found] == [0, 1, 1]


def test_a_warning_list_stops_at_its_limit_and_counts_the_rest(world, built):
    months, records = built
    shown = [add_months(months[0], -1)] + months
    f.SurgeryFactory(ref="S-EARLIER", hospital=world.lhasa_peoples, team=records["not_in_field"].team,
                     date=records["not_in_field"].date - dt.timedelta(days=1))
    dates, *_others = quality_warnings(Program.objects.filter(code="BJ-LHASA"), shown, listed=1)
    assert (dates.count, [r.ref for r in dates.rows]) == (2, ["S-EARLY"])  # the latest first


def test_the_grid_costs_four_queries_whatever_the_hospitals_and_months(world, built, django_assert_num_queries):
    hospitals = list(recipient_hospitals(Program.objects.for_recipient_region(world.tibet)))
    for chosen, months in ((hospitals[:1], built[0]), (hospitals, [add_months(built[0][0], -k) for k in range(120, 0, -1)])):
        with django_assert_num_queries(4):
            completeness(chosen, months, TODAY)
    with django_assert_num_queries(1):
        list(recipient_hospitals(Program.objects.for_recipient_region(world.tibet)))
