"""The covered-days rollup (deployments.CoveredSpan; deployments/coverage.py)
against the spans merged from the rotations, through writes of every kind:
a rotation's create, change of dates, team, specialty, person, delete; a
team's move to another program and its delete; queryset bulk writes; the
importer, loaddata and the rebuild command. And the pages that read it
show the coverage the rotations give."""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import F

from aidtracker.lib.periods import Period
from deployments import coverage
from deployments.models import CoveredSpan, Rotation, Team
from figures.donor import donor_hospitals
from interchange.importer import import_bundle
from tests.deployments.test_expert_rollup import free, rotations_for, setting  # noqa: F401 (a fixture)

PERIODS = [
    Period(),
    Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    Period(dt.date(2023, 5, 17), dt.date(2024, 2, 3)),
    Period(dt.date(2024, 7, 1), None),
]


def kept():
    return CoveredSpan.objects.all().rows()


def check():
    """The rows kept equal the spans merged from the rotations now, and
    the donor dashboard's spans clipped to a period cover the days the
    rotations overlapping it cover."""
    assert kept() == Rotation.objects.all().covered_spans()
    for period in PERIODS:
        for donor in ("110000", "310000"):
            for row in donor_hospitals(donor, period):
                for twinning in row["twinnings"]:
                    rotations = Rotation.objects.overlapping(period).filter(
                        team__program=twinning["program_code"], specialty=twinning["specialty_code"]
                    )
                    assert days(twinning["spans"], period) == days(
                        rotations.values_list("start_date", "end_date"), period
                    ), (period, donor, twinning["program_code"])


def days(spans, period):
    """The days of `spans` within the period (a set of dates)."""
    out = set()
    for start, end in spans:
        start, end = max(start, period.start or start), min(end, period.end or end)
        out.update(start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return out


@pytest.fixture
def twinned(setting):  # noqa: F811
    world, teams, people, bj_xj, sh_xj = setting
    from tests import factories as f

    for program in (world.bj_lhasa, world.sh_xigaze, bj_xj, sh_xj):
        for specialty in ("general_surgery", "orthopedics"):
            f.TwinningFactory(program=program, specialty_id=specialty, start_date=dt.date(2022, 1, 1),
                              donor_hospital=world.bj_friendship if program.donor_region_id == "110000"
                              else f.HospitalFactory(region=world.shanghai))
    return setting


def test_covered_spans_equal_the_rotations_through_writes(twinned):
    world, teams, people, bj_xj, sh_xj = twinned
    rng = random.Random(21)
    Rotation.objects.bulk_create(rotations_for(rng, people[:8], teams))  # a bulk write: rebuilt whole
    for rotation in rotations_for(rng, people[8:], teams, per_person=2):  # model saves: pairs rebuilt
        rotation.save()
    assert CoveredSpan.objects.filter(rotations__gt=1).exists()  # some spans merge several rotations
    check()

    # a rotation's dates, team (another program) and specialty, person; a delete
    rotation = Rotation.objects.filter(team__code="T-LHASA-1").order_by("pk").first()
    rotation.end_date = rotation.start_date + dt.timedelta(days=3)
    rotation.save()
    moving = Rotation.objects.filter(team__code="T-XIGAZE-1").order_by("pk").first()
    if not Rotation.objects.filter(person=moving.person, team__code="T-BJXJ-1").exists():
        moving.team = teams[3]
        moving.specialty_id = "pediatrics"
        moving.save()
    handed = Rotation.objects.filter(team__code="T-SHXJ-1").order_by("pk").first()
    for person in people:
        if free(person, handed.start_date, handed.end_date, handed.pk) and not Rotation.objects.filter(
                team=handed.team, person=person).exists():
            handed.person = person
            handed.save()
            break
    Rotation.objects.filter(team__code="T-LHASA-2").order_by("pk").first().delete()
    deferred = Rotation.objects.defer("start_date", "team").order_by("-pk").first()
    deferred.end_date = deferred.end_date + dt.timedelta(days=60)
    if free(deferred.person_id, deferred.start_date, deferred.end_date, deferred.pk):
        deferred.save()
    check()

    # closing a gap: two spans become one; opening one: one becomes two
    first, second = Rotation.objects.filter(team__code="T-BJXJ-1").order_by("start_date")[:2]
    if free(first.person, first.start_date, second.start_date - dt.timedelta(days=1), first.pk):
        first.end_date = second.start_date - dt.timedelta(days=1)
        first.save()
    check()

    # a team's program
    team = teams[2]
    team.program = sh_xj
    team.batch = 2
    team.save()
    check()

    # a team's delete (its rotations cascade); queryset bulk writes
    Team.objects.get(code="T-LHASA-2").delete()
    Rotation.objects.filter(start_date__lt=dt.date(2023, 3, 1)).update(end_date=F("start_date"))
    Rotation.objects.filter(team__code="T-BJXJ-1", start_date__gte=dt.date(2024, 9, 1)).delete()
    Team.objects.filter(code="T-SHXJ-1").update(program=bj_xj, batch=7)
    check()


def test_the_importer_loaddata_and_the_rebuild_command(twinned, tmp_path):
    world, teams, people, bj_xj, sh_xj = twinned
    Rotation.objects.bulk_create(rotations_for(random.Random(5), people[:4], teams))
    header = "team_code,person_id,person_name,home_hospital_code,specialty,title,role,start_date,end_date\n"
    rows = [
        f"T-BJXJ-1,{person.code},{person.name},BJ-FRIENDSHIP,general_surgery,attending,member,"
        f"{dt.date(2024, 1 + i, 5)},{dt.date(2024, 1 + i, 5) + dt.timedelta(days=70)}\n"
        for i, person in enumerate(people[4:8])
    ]
    path = Path(tmp_path, "rotations.csv")
    path.write_text(header + "".join(rows), encoding="utf-8")
    report = import_bundle(path)
    assert report.ok, [str(e) for e in report.errors]
    check()

    dump = tmp_path / "dump.json"
    call_command("dumpdata", "deployments.rotation", output=str(dump), verbosity=0)
    Rotation.objects.all().delete()
    assert not CoveredSpan.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)
    check()
    CoveredSpan.objects.all().delete()  # as after raw SQL that bypassed the models
    call_command("rebuild_rollups", verbosity=0)
    check()


def test_a_save_that_changes_no_covered_day_rebuilds_nothing(twinned, django_assert_num_queries):
    world, teams, people, bj_xj, sh_xj = twinned
    Rotation.objects.bulk_create(rotations_for(random.Random(3), people, teams))
    # A save that changes the dates: tests/deployments/test_expert_rollup.py
    # pins its queries, these among them.
    rotation = Rotation.objects.order_by("pk").first()
    rotation.title = "chief"  # nothing the rollups count: the UPDATE, its history row, the data version
    with django_assert_num_queries(3):
        rotation.save()
    rotation.end_date = rotation.start_date
    rotation.save()
    assert kept() == Rotation.objects.all().covered_spans()


def test_a_partial_rebuild_leaves_other_departments_alone(twinned):
    world, teams, people, bj_xj, sh_xj = twinned
    Rotation.objects.bulk_create(rotations_for(random.Random(8), people, teams))
    before = kept()
    other = [row for row in before if row[0] != bj_xj.pk]
    coverage.rebuild_covered([(bj_xj.pk, "general_surgery")])
    coverage.rebuild_covered(programs=[bj_xj.pk])
    coverage.rebuild_covered([], programs=[])  # nothing named: nothing done
    assert kept() == before
    assert [row for row in kept() if row[0] != bj_xj.pk] == other
