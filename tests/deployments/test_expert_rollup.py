"""The experts-per-month rollup (deployments.ExpertMonth; deployments/rollups.py)
against a straightforward computation from the rotations, through writes of
every kind: model saves and deletes, a rotation or a team moving to another
province, queryset bulk_create / update / delete, the importer, loaddata and
the rebuild command."""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import F

from figures import series
from deployments import rollups
from deployments.models import ExpertMonth, Rotation
from hospitals.models import Hospital
from aidtracker.lib.periods import Period
from interchange.importer import import_bundle
from aidtracker.lib.periods import month_end
from tests import factories as f

FIRST = dt.date(2023, 1, 1)


def raw_experts_per_month(region, period):
    hospitals = set(Hospital.objects.in_region(region).values_list("code", flat=True))
    rotations = [
        r for r in Rotation.objects.select_related("team__program")
        if r.team.program.recipient_hospital_id in hospitals
    ]
    result = []
    for month in period.months():
        first, last = max(month, period.start), min(month_end(month), period.end)
        people = {r.person_id for r in rotations if r.start_date <= last and r.end_date >= first}
        result.append({"month": month.strftime("%Y-%m"), "experts": len(people)})
    return result


def check(world):
    for region in (world.tibet, world.xinjiang):
        for period in (Period(dt.date(2023, 1, 1), dt.date(2024, 12, 31)), Period(dt.date(2023, 6, 1), dt.date(2023, 8, 31)),
                       Period(dt.date(2023, 5, 17), dt.date(2024, 2, 3))):  # the last: not whole months
            charted = [{"month": m["month"], "experts": m["experts"]} for m in series.experts_per_month(region, period)]
            assert charted == raw_experts_per_month(region, period), (region.code, period)
    kept = sorted(ExpertMonth.objects.values_list("region_id", "month", "experts"))
    rollups.rebuild_expert_months()
    assert kept == sorted(ExpertMonth.objects.values_list("region_id", "month", "experts"))


@pytest.fixture
def setting(world):
    xj = f.ProgramFactory(code="BJ-XJ", donor_region=world.beijing, recipient_hospital=world.xj_children,
                          start_date=dt.date(2020, 1, 1))
    teams = [
        f.TeamFactory(code="T-LHASA-1", program=world.bj_lhasa, batch=1),
        f.TeamFactory(code="T-LHASA-2", program=world.bj_lhasa, batch=2),
        f.TeamFactory(code="T-XIGAZE-1", program=world.sh_xigaze, batch=1),
        f.TeamFactory(code="T-XJ-1", program=xj, batch=1),
    ]
    people = [f.PersonFactory(code=f"E{i:03d}", home_hospital=world.bj_friendship) for i in range(10)]
    return world, teams, people, xj


def rotations_for(rng, people, teams, per_person=3):
    """Non-overlapping rotations per person, each in a different team."""
    rows = []
    for person in people:
        day = FIRST + dt.timedelta(days=rng.randrange(60))
        for team in rng.sample(teams, per_person):
            end = day + dt.timedelta(days=rng.randrange(5, 150))
            rows.append(f.RotationFactory.build(team=team, person=person, start_date=day, end_date=end))
            day = end + dt.timedelta(days=rng.randrange(1, 90))
    return rows


def test_experts_per_month_equal_the_rows_through_writes(setting):
    world, teams, people, xj = setting
    rng = random.Random(4)
    Rotation.objects.bulk_create(rotations_for(rng, people[:6], teams))
    for rotation in rotations_for(rng, people[6:], teams, per_person=2):
        rotation.save()
    check(world)

    # edits: other dates, another team (maybe another province), deletes
    rotation = Rotation.objects.filter(team__code="T-LHASA-1").first()
    rotation.end_date = rotation.start_date + dt.timedelta(days=3)
    rotation.save()
    moving = Rotation.objects.exclude(person=rotation.person).filter(team__code="T-XIGAZE-1").first()
    if not Rotation.objects.filter(person=moving.person, team__code="T-XJ-1").exists():
        moving.team = teams[3]
        moving.save()
    Rotation.objects.filter(team__code="T-LHASA-2").first().delete()
    check(world)

    # a rotation moved to other months, earlier and later, and stretched over
    # a year end; one loaded with its dates deferred
    for i, rotation in enumerate(Rotation.objects.order_by("pk")[:4]):
        shift = dt.timedelta(days=(-200, 170, 40, -75)[i])
        taken = Rotation.objects.filter(person=rotation.person).exclude(pk=rotation.pk)
        start, end = rotation.start_date + shift, rotation.end_date + shift + dt.timedelta(days=95 * (i == 2))
        if not taken.filter(start_date__lte=end, end_date__gte=start).exists():
            rotation.start_date, rotation.end_date = start, end
            rotation.save()
    deferred = Rotation.objects.defer("start_date", "team").order_by("-pk").first()
    deferred.end_date = deferred.end_date + dt.timedelta(days=60)
    if not Rotation.objects.filter(person=deferred.person, start_date__gt=deferred.start_date,
                                   start_date__lte=deferred.end_date).exclude(pk=deferred.pk).exists():
        deferred.save()
    check(world)

    # queryset update and delete; a team that moves to a program in Xinjiang
    Rotation.objects.filter(start_date__lt=dt.date(2023, 3, 1)).update(end_date=F("start_date"))  # one day each
    Rotation.objects.filter(team__code="T-XJ-1", start_date__gte=dt.date(2023, 9, 1)).delete()
    team = teams[2]
    team.program = xj
    team.batch = 2
    team.save()
    check(world)


def test_the_importer_loaddata_and_the_rebuild_command(setting, tmp_path):
    world, teams, people, xj = setting
    rng = random.Random(9)
    Rotation.objects.bulk_create(rotations_for(rng, people[:4], teams))
    header = "team_code,person_id,person_name,home_hospital_code,specialty,title,role,start_date,end_date\n"
    rows = []
    for i, person in enumerate(people[4:8]):
        start = dt.date(2024, 1 + i, 5)
        rows.append(f"T-XJ-1,{person.code},{person.name},BJ-FRIENDSHIP,general_surgery,attending,member,"
                    f"{start},{start + dt.timedelta(days=70)}\n")
    path = Path(tmp_path, "rotations.csv")
    path.write_text(header + "".join(rows), encoding="utf-8")
    report = import_bundle(path)
    assert report.ok, [str(e) for e in report.errors]
    check(world)

    dump = tmp_path / "dump.json"
    call_command("dumpdata", "deployments.rotation", "deployments.expertmonth", output=str(dump), verbosity=0)
    Rotation.objects.all().delete()
    assert not ExpertMonth.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)
    check(world)
    ExpertMonth.objects.all().delete()  # as after raw SQL that bypassed the models
    call_command("rebuild_rollups", verbosity=0)
    check(world)
