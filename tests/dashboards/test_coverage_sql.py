"""The twinned departments' coverage merged in SQL (covered_spans) equals the
sweep over every rotation in Python, on varied data: overlaps, back-to-back
rotations, gaps, rotations running past today, rotations outside the window
(before the twinning, after the program), several programs and
specialties."""

import datetime as dt
import random

import pytest

from aidtracker.lib.spans import covered_and_gaps, department_window
from dashboards.coverage import program_coverage, spans_by_program
from deployments.models import Person, Rotation
from tests.factories import ProgramFactory, TeamFactory, TwinningFactory, specialty

D = dt.date
TODAY = D(2024, 6, 15)
SPECIALTIES = ("general_surgery", "orthopedics", "cardiology")


def _world():
    """Two programs (one ended) twinning two or three specialties, with
    rotations of every shape the coverage must handle."""
    rng = random.Random(18)
    hospital_program = ProgramFactory(code="PA", start_date=D(2021, 1, 1))
    ended = ProgramFactory(code="PB", start_date=D(2020, 6, 1), end_date=D(2023, 3, 31))
    for program, codes in ((hospital_program, SPECIALTIES), (ended, SPECIALTIES[:2])):
        for i, code in enumerate(codes):
            TwinningFactory(program=program, specialty=specialty(code), start_date=D(2021, 3 + i, 1),
                            end_date=D(2024, 3, 31) if i == 2 else None)
    people, rotations = [], []
    for program in (hospital_program, ended):
        team = TeamFactory(program=program, start_date=D(2019, 1, 1), end_date=D(2026, 12, 31))
        for code in SPECIALTIES:
            day = D(2019, 6, 1)
            while day < D(2025, 1, 1):
                shape = rng.choice(["overlap", "back_to_back", "gap", "same_day", "long"])
                length = rng.randint(1, 90) if shape != "long" else rng.randint(200, 400)
                end = day + dt.timedelta(days=length - 1)
                people.append(Person(code=f"Q{len(people):05d}", name=f"P {len(people)}",
                                     home_hospital=program.recipient_hospital))
                rotations.append(Rotation(team=team, person=people[-1], specialty=specialty(code),
                                          title="attending", role=Rotation.Role.MEMBER,
                                          start_date=day, end_date=end))
                day = {
                    "overlap": day + dt.timedelta(days=max(0, length - rng.randint(1, 30))),
                    "back_to_back": end + dt.timedelta(days=1),
                    "gap": end + dt.timedelta(days=rng.randint(2, 120)),
                    "same_day": day,
                    "long": day + dt.timedelta(days=rng.randint(10, 100)),
                }[shape]
    Person.objects.bulk_create(people)
    Rotation.objects.bulk_create(rotations)
    return [hospital_program, ended]


def _by_sweep(program, twinnings):
    """The coverage as the page computed it before: every rotation read and
    swept in Python."""
    rows = list(Rotation.objects.filter(team__program=program).values_list("specialty_id", "start_date", "end_date"))
    by_specialty = {}
    for twinning in twinnings:
        by_specialty.setdefault(twinning.specialty_id, []).append(twinning)
    result = []
    for code, dept_twinnings in by_specialty.items():
        window = department_window(program, dept_twinnings, end=TODAY)
        covered, gaps = covered_and_gaps([(s, e) for c, s, e in rows if c == code], window) if window else ([], [])
        result.append((code, window, covered, gaps))
    return result


@pytest.mark.django_db
def test_coverage_from_sql_spans_equals_the_sweep_over_every_rotation():
    programs = _world()
    spans = spans_by_program(Rotation.objects.filter(team__program__in=programs).covered_spans())
    for program in programs:
        twinnings = list(program.twinnings.order_by("specialty__name", "start_date"))
        departments = program_coverage(program, twinnings, spans.get(program.pk, {}), TODAY)
        expected = _by_sweep(program, twinnings)
        assert [(d.twinnings[0].specialty_id, d.window, d.covered, d.gaps) for d in departments] == expected
        for dept in departments:
            assert dept.covered_days + dept.gap_days == dept.window.days
        # Far fewer spans than rotations: overlapping and touching ones merged.
        program_spans = [s for ss in spans[program.pk].values() for s in ss]
        assert len(program_spans) < Rotation.objects.filter(team__program=program).count() / 2


@pytest.mark.django_db
def test_covered_spans_are_disjoint_do_not_touch_and_count_every_rotation():
    programs = _world()
    rows = Rotation.objects.filter(team__program__in=programs).covered_spans()
    assert sum(n for *_span, n in rows) == Rotation.objects.count()
    for (p1, c1, _s1, e1, _n1), (p2, c2, s2, _e2, _n2) in zip(rows, rows[1:]):
        if (p1, c1) == (p2, c2):
            assert s2 > e1 + dt.timedelta(days=1)  # a gap of a day at least between spans
    # Every day of every rotation lies in its program's and specialty's spans.
    spans = spans_by_program(rows)
    for r in Rotation.objects.select_related("team"):
        assert any(s <= r.start_date and r.end_date <= e for s, e in spans[r.team.program_id][r.specialty_id])


@pytest.mark.django_db
def test_the_program_and_hospital_pages_show_the_swept_coverage(client, admin_user, monkeypatch):
    programs = _world()
    monkeypatch.setattr("dashboards.views.today", lambda: TODAY)
    client.force_login(admin_user)
    program = programs[0]
    twinnings = list(program.twinnings.order_by("specialty__name", "start_date"))
    page = client.get(f"/programs/{program.pk}/")
    expected = _by_sweep(program, twinnings)
    assert [(d.window, d.covered, d.gaps) for d in page.context["departments"]] == [e[1:] for e in expected]
    assert page.context["rotation_count"] == Rotation.objects.filter(team__program=program).count()
    donor = twinnings[0].donor_hospital
    hospital_page = client.get(f"/hospitals/{donor.pk}/")
    [row] = [r for r in hospital_page.context["sent"]["departments"] if r["program"] == program]
    assert (row["coverage"].covered, row["coverage"].gaps) == tuple(expected[0][2:])
