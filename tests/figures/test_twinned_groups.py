"""The twinned departments' surgeries counted from the monthly rollup
(figures.summary.twinned_surgery_groups) equal their definition counted row
by row (figures.definitions.twinned_department_surgeries), month by month and
by lead, for twinnings that touch, overlap, stay open and end mid-month, and
for periods with open and mid-month bounds."""

import datetime as dt
from collections import Counter

import pytest

from aidtracker.lib.periods import Period, clip, merged, month_start
from figures import definitions as rules
from figures.summary import twinned_surgery_groups
from outcomes.models import Surgery
from tests.factories import (
    HospitalFactory,
    ProgramFactory,
    RegionFactory,
    SurgeryFactory,
    TwinningFactory,
    specialty,
)

D = dt.date


def test_merged_joins_overlapping_and_touching_periods_and_keeps_open_ends():
    assert merged([Period(D(2024, 3, 1), None), Period(D(2024, 1, 16), D(2024, 3, 10)),
                   Period(D(2024, 1, 1), D(2024, 1, 15)), Period(D(2023, 1, 1), D(2023, 1, 31))]) == [
        Period(D(2023, 1, 1), D(2023, 1, 31)), Period(D(2024, 1, 1), None)]
    assert merged([Period(D(2024, 1, 1), D(2024, 1, 10)), Period(D(2024, 1, 12), D(2024, 1, 20))]) == [
        Period(D(2024, 1, 1), D(2024, 1, 10)), Period(D(2024, 1, 12), D(2024, 1, 20))]
    assert merged([]) == []


def test_clip_keeps_the_shared_days_or_none():
    year = Period(D(2024, 1, 1), D(2024, 12, 31))
    assert clip(Period(D(2023, 6, 1), None), year) == year
    assert clip(Period(D(2024, 6, 1), D(2025, 2, 1)), Period()) == Period(D(2024, 6, 1), D(2025, 2, 1))
    assert clip(Period(D(2025, 1, 1), None), year) is None


@pytest.fixture
def world(db):
    donor, other_donor = RegionFactory(code="110000"), RegionFactory(code="310000")
    tibet = RegionFactory(code="540000")
    hospital = HospitalFactory(code="H-LHASA", region=tibet)
    elsewhere = HospitalFactory(code="H-ELSE", region=tibet)
    home, home_too = HospitalFactory(code="H-BJ", region=donor), HospitalFactory(code="H-BJ2", region=donor)
    one = ProgramFactory(donor_region=donor, recipient_hospital=hospital, start_date=D(2023, 1, 1))
    two = ProgramFactory(donor_region=donor, recipient_hospital=hospital, start_date=D(2024, 1, 1))
    ProgramFactory(donor_region=other_donor, recipient_hospital=elsewhere)
    general, ortho = specialty("general_surgery"), specialty("orthopedics")
    # General surgery: A and B touch (Jan 15 / Jan 16), C of another program
    # overlaps B and stays open. Orthopedics: D ends and starts mid-month.
    TwinningFactory(program=one, specialty=general, donor_hospital=home,
                    start_date=D(2024, 1, 1), end_date=D(2024, 1, 15))
    TwinningFactory(program=one, specialty=general, donor_hospital=home_too,
                    start_date=D(2024, 1, 16), end_date=D(2024, 3, 10))
    TwinningFactory(program=two, specialty=general, donor_hospital=home, start_date=D(2024, 3, 1))
    TwinningFactory(program=one, specialty=ortho, donor_hospital=home,
                    start_date=D(2023, 12, 20), end_date=D(2024, 2, 5))
    leads = list(Surgery.Lead)
    day, n = D(2023, 11, 1), 0
    while day <= D(2024, 7, 31):
        for where in (hospital, elsewhere):
            for kind in (general, ortho):
                SurgeryFactory(hospital=where, specialty=kind, date=day, lead=leads[n % 3])
                n += 1
        day += dt.timedelta(days=3)
    return donor


def row_by_row(donor, period, region=None, specialty=None):
    """{(month, lead): n} and {month: n} of the definition, row by row."""
    rows = list(
        rules.twinned_department_surgeries(donor.code, period, region, specialty=specialty)
        .values_list("date", "lead")
    )
    return (Counter((month_start(d), lead) for d, lead in rows), Counter(month_start(d) for d, _ in rows))


@pytest.mark.parametrize("period", [
    Period(),
    Period(D(2024, 1, 1), D(2024, 12, 31)),
    Period(D(2024, 1, 10), D(2024, 3, 20)),
    Period(D(2024, 2, 1), None),
    Period(None, D(2024, 1, 20)),
    Period(D(2024, 1, 15), D(2024, 1, 15)),
])
@pytest.mark.parametrize("narrowed", [{}, {"region": "540000"}, {"specialty": "orthopedics"}])
def test_rollup_path_equals_the_definition(world, period, narrowed):
    by_lead, totals = row_by_row(world, period, **narrowed)
    groups = twinned_surgery_groups(world.code, period, narrowed.get("region"), specialty=narrowed.get("specialty"))
    assert {g["month"]: g["total"] for g in groups if g["total"]} == dict(totals)
    assert {(g["month"], lead): g[lead] for g in groups for lead in ("visiting", "joint", "local") if g[lead]} == {
        (month, str(lead)): n for (month, lead), n in by_lead.items()
    }
    assert sum(totals.values()) > 0


def test_a_donor_that_twins_nothing_there_reads_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert twinned_surgery_groups("310000", Period(), "540000") == []
