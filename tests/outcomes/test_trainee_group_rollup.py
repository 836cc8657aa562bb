"""The trainee span rollup of programs and hosts (outcomes.TraineeGroupSpanMonth,
outcomes/rollups.py) against counting the training rows one by one: the
program page's trainees (with and without a specialty or a recipient
region), the donor summary's hosted trainees and the donor hospitals'
trainees hosted, for many periods of whole months (where the figures read
the rollup) and of days (where they count the trainings), after writes of
every kind: model saves and deletes that change a training's program, host,
dates, kind or trainee, a trainee moving hospital, a host hospital moving
to another province, a region put under another province, bulk create,
update, upsert and delete, the importer, loaddata and the rebuild command."""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.core.management import call_command

from aidtracker.lib.periods import Period, month_end, month_start
from deployments.models import Program
from figures import donor as donor_figures
from figures import program as program_figures
from figures import summary
from hospitals.models import Hospital, Region, Specialty
from interchange.importer import import_bundle
from outcomes import rollups
from outcomes.models import Trainee, TraineeGroupSpanMonth, Training
from tests import factories as f

SPECIALTIES = ("general_surgery", "cardiology", "orthopaedics")
DONORS = ("110000", "310000")
KINDS = ("onsite_course", "mentorship", "further_study")
FIRST, LAST = dt.date(2023, 1, 1), dt.date(2024, 12, 31)
DAYS = (LAST - FIRST).days


# --------------------------------------------------------------------------
# The figures, counted row by row


def _hospitals(region):
    return set((Hospital.objects.in_region(region) if region else Hospital.objects).values_list("code", flat=True))


def _overlaps(t, period):
    return (period.end is None or t.start_date <= period.end) and (
        period.start is None or t.end_date is None or t.end_date >= period.start
    )


def raw_program(program, period, region=None, specialty=None):
    hospitals = _hospitals(region)
    total, independent, by_kind = set(), set(), {kind: set() for kind in KINDS}
    for t in Training.objects.select_related("trainee").filter(program=program):
        if t.trainee.hospital_id not in hospitals or (specialty and t.specialty_id != specialty):
            continue
        if _overlaps(t, period):
            total.add(t.trainee_id)
            by_kind[t.kind].add(t.trainee_id)
        if t.independent_on and (period.start is None or t.independent_on >= period.start) and (
            period.end is None or t.independent_on <= period.end
        ):
            independent.add(t.trainee_id)
    return {"total": len(total), "by_kind": {k: len(v) for k, v in by_kind.items()}, "independent": len(independent)}


def raw_hosted(donor, period, region=None, specialty=None):
    """{host hospital: distinct trainees} and the distinct trainees in all."""
    hosts, trainees = _hospitals(donor), _hospitals(region)
    per_host, everyone = {}, set()
    for t in Training.objects.select_related("trainee").filter(kind="further_study"):
        if t.host_hospital_id not in hosts or t.trainee.hospital_id not in trainees:
            continue
        if (specialty and t.specialty_id != specialty) or not _overlaps(t, period):
            continue
        per_host.setdefault(t.host_hospital_id, set()).add(t.trainee_id)
        everyone.add(t.trainee_id)
    return {code: len(people) for code, people in per_host.items()}, len(everyone)


# --------------------------------------------------------------------------


def random_day(rng):
    return FIRST + dt.timedelta(days=rng.randrange(DAYS + 1))


def month_periods(rng, n):
    periods = [Period(), Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), Period(dt.date(2023, 6, 1), None),
               Period(None, dt.date(2023, 8, 31)), Period(dt.date(2030, 1, 1), dt.date(2030, 3, 31))]
    while len(periods) < n:
        a, b = sorted([month_start(random_day(rng)), month_start(random_day(rng))])
        shape = rng.random()
        periods.append(Period(a, None) if shape < 0.15 else Period(None, month_end(b)) if shape < 0.3
                       else Period(a, month_end(b)))
    return periods


def day_periods(rng, n):
    periods = []
    while len(periods) < n:
        a, b = sorted([random_day(rng), random_day(rng)])
        periods.append(Period(a, a) if rng.random() < 0.3 else Period(a, b))
    return periods


def rollup_rows():
    return sorted(TraineeGroupSpanMonth.objects.values_list(
        "hospital_id", "group", "code", "specialty", "kind", "first_month", "last_month", "n"))


def assert_rollup_is_a_fresh_rebuild():
    kept = rollup_rows()
    rollups.rebuild_trainees()
    assert kept == rollup_rows()
    assert all(row[-1] != 0 for row in kept)


def check(world, rng, n_periods=5):
    programs = list(Program.objects.values_list("code", flat=True))
    for period in month_periods(rng, n_periods) + day_periods(rng, 2):
        for program in programs:
            got = summary.trainee_figures(None, period, program=program)
            assert got == raw_program(program, period), (program, period)
            specialty, region = rng.choice(SPECIALTIES), rng.choice([world.tibet, world.xinjiang])
            assert summary.trainee_figures(None, period, specialty=specialty, program=program) == raw_program(
                program, period, specialty=specialty), (program, period, specialty)
            assert summary.trainee_figures(region, period, program=program) == raw_program(
                program, period, region=region), (program, period, region.code)
        for donor in DONORS:
            for specialty, recipient in ((None, None), (rng.choice(SPECIALTIES), None), (None, world.tibet.code),
                                         (rng.choice(SPECIALTIES), world.xinjiang.code)):
                per_host, total = raw_hosted(donor, period, recipient, specialty)
                got = summary.donor_summary(donor, period, specialty=specialty, recipient=recipient)
                assert got["trainees"]["hosted"] == total, (donor, period, specialty, recipient)
                rows = donor_figures.donor_hospitals(donor, period, specialty=specialty, recipient=recipient)
                assert {r["code"]: r["trainees_hosted"] for r in rows if r["trainees_hosted"]} == per_host, (
                    donor, period, specialty, recipient)
                assert set(per_host) <= {r["code"] for r in rows}
    # the program page itself
    program = Program.objects.get(code=rng.choice(programs))
    for period in (Period(), Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))):
        got = program_figures.program_summary(program, period, today=dt.date(2025, 1, 1))["trainees"]
        assert got == raw_program(program.code, period)
    assert_rollup_is_a_fresh_rebuild()


def random_training(rng, trainees, programs, hosts, **kwargs):
    start = random_day(rng)
    shape = rng.random()
    end = None if shape < 0.15 else start if shape < 0.3 else min(start + dt.timedelta(days=rng.randrange(1, 120)), LAST)
    kind = rng.choice(KINDS)
    values = {
        "ref": f"T{rng.randrange(10**9):09d}",
        "trainee": rng.choice(trainees),
        "specialty_id": rng.choice(SPECIALTIES),
        "kind": kind,
        "host_hospital": rng.choice(hosts) if kind == "further_study" else None,
        "program": rng.choice([None, *programs]),
        "start_date": start,
        "end_date": end,
        "independent_on": rng.choice([None, None, random_day(rng)]),
        **kwargs,
    }
    return f.TrainingFactory.build(**values)


@pytest.fixture
def setting(world):
    for code in SPECIALTIES:
        Specialty.objects.get_or_create(code=code, defaults={"name": code, "name_zh": code})
    # a host in a county of Beijing: its province is its region's grandparent
    city = Region.objects.create(code="110100", name="Beijing city", level="prefecture", parent=world.beijing)
    chaoyang = Region.objects.create(code="110105", name="Chaoyang", level="county", parent=city)
    world.chaoyang = chaoyang
    world.bj_chaoyang = f.HospitalFactory(code="BJ-CHAOYANG", region=chaoyang)
    world.sh_ruijin = f.HospitalFactory(code="SH-RUIJIN", region=world.shanghai)
    hospitals = [world.lhasa_peoples, world.xigaze_peoples, world.pulan, world.xj_children]
    trainees = [f.TraineeFactory(code=f"P{i:03d}", hospital=hospitals[i % len(hospitals)]) for i in range(14)]
    bj_xigaze = f.ProgramFactory(code="BJ-XIGAZE", donor_region=world.beijing, recipient_hospital=world.xigaze_peoples)
    hosts = [world.bj_friendship, world.bj_chaoyang, world.renji, world.sh_ruijin, world.lhasa_peoples]
    return world, hospitals, trainees, [world.bj_lhasa, world.sh_xigaze, bj_xigaze], hosts


@pytest.mark.parametrize("seed", [1, 2])
def test_program_and_host_figures_equal_the_rows_through_random_writes(setting, seed):
    world, hospitals, trainees, programs, hosts = setting
    rng = random.Random(seed)
    Training.objects.bulk_create([random_training(rng, trainees, programs, hosts) for _ in range(80)])
    for _ in range(10):
        random_training(rng, trainees, programs, hosts).save()
    assert TraineeGroupSpanMonth.objects.filter(group="program").exists()
    assert TraineeGroupSpanMonth.objects.filter(group="host_region", code="110000").exists()
    check(world, rng)

    # saves that change program, host, kind, dates, trainee; deletes
    for training in rng.sample(list(Training.objects.all()), 14):
        training.program = rng.choice([None, *programs])
        training.kind = rng.choice(KINDS)
        training.host_hospital = rng.choice(hosts) if training.kind == "further_study" else None
        training.start_date = random_day(rng)
        training.end_date = rng.choice([None, training.start_date + dt.timedelta(days=rng.randrange(60))])
        training.trainee = rng.choice(trainees)
        training.independent_on = rng.choice([None, random_day(rng)])
        training.save()
    for training in rng.sample(list(Training.objects.all()), 8):
        training.delete()
    mover = Trainee.objects.get(code="P001")
    mover.hospital = world.xj_children
    mover.save()
    check(world, rng)

    # a host hospital moves to Shanghai, one loaded afresh moves back; a
    # county goes under Shanghai (every hospital in it changes province)
    world.bj_chaoyang.region = world.shanghai
    world.bj_chaoyang.save()
    check(world, rng, n_periods=4)
    again = Hospital.objects.get(code="BJ-CHAOYANG")
    again.region = world.chaoyang
    again.save()
    shanghai_city = Region.objects.create(code="310100", name="Shanghai city", level="prefecture",
                                          parent=world.shanghai)
    world.chaoyang.parent = shanghai_city
    world.chaoyang.save()
    assert TraineeGroupSpanMonth.objects.filter(group="host_region", code="310000").exists()
    check(world, rng, n_periods=4)

    # bulk writes: update, upsert, delete
    Training.objects.filter(start_date__lt=dt.date(2023, 4, 1)).update(end_date=None)
    Training.objects.filter(kind="mentorship").update(program=programs[2])
    Training.objects.filter(kind="further_study", specialty="cardiology").update(host_hospital=world.renji)
    Training.objects.filter(trainee__code="P003").update(trainee=trainees[4])
    Trainee.objects.filter(code__in=["P005", "P006"]).update(hospital=world.lhasa_peoples)
    fields = [field.attname for field in Training._meta.concrete_fields if field.attname != "id"]
    moved = [Training(**{**{name: getattr(t, name) for name in fields}, "program_id": "SH-XIGAZE"})
             for t in Training.objects.order_by("ref")[:6]]
    Training.objects.bulk_create(moved, update_conflicts=True, unique_fields=["ref"], update_fields=["program"])
    Training.objects.filter(kind="onsite_course", start_date__gte=dt.date(2024, 10, 1)).delete()
    check(world, rng)


def test_queryset_updates_of_hospitals_and_regions_rebuild_the_host_provinces(setting):
    """A queryset's update that puts a host hospital in another region, or
    a region under another parent, moves the further study it hosts to
    another host province: the rollup is rebuilt and equals a fresh one."""
    world, hospitals, trainees, programs, hosts = setting
    rng = random.Random(11)
    Training.objects.bulk_create([random_training(rng, trainees, programs, hosts, kind="further_study",
                                                  host_hospital=world.bj_chaoyang) for _ in range(6)])
    assert TraineeGroupSpanMonth.objects.filter(group="host_region", code="110000").exists()
    Hospital.objects.filter(code="BJ-CHAOYANG").update(region=world.shanghai)
    assert not TraineeGroupSpanMonth.objects.filter(group="host_region", code="110000").exists()
    assert_rollup_is_a_fresh_rebuild()
    Hospital.objects.filter(code="BJ-CHAOYANG").update(region=world.chaoyang)
    shanghai_city = Region.objects.create(code="310100", name="Shanghai city", level="prefecture",
                                          parent=world.shanghai)
    Region.objects.filter(code=world.chaoyang.code).update(parent=shanghai_city)
    assert TraineeGroupSpanMonth.objects.filter(group="host_region", code="310000").exists()
    assert not TraineeGroupSpanMonth.objects.filter(group="host_region", code="110000").exists()
    assert_rollup_is_a_fresh_rebuild()


def test_the_importer_loaddata_and_the_rebuild_command(setting, tmp_path, monkeypatch):
    world, hospitals, trainees, programs, hosts = setting
    rng = random.Random(7)
    Training.objects.bulk_create([random_training(rng, trainees, programs, hosts) for _ in range(40)])
    header = (
        "ref,trainee_id,trainee_name,hospital_code,specialty,role,kind,host_hospital_code,program_code,"
        "start_date,end_date,hours,status,independent_on,skill\n"
    )
    path = Path(tmp_path, "trainings.csv")

    def line(ref, trainee, hospital, host, program, start):
        return (f"{ref},{trainee},Trainee {trainee},{hospital},general_surgery,doctor,further_study,{host},"
                f"{program},{start},{start + dt.timedelta(days=20)},,ongoing,,\n")

    for delta_max in (500, 3):  # a few trainees adjusted; many: their hospitals rebuilt
        monkeypatch.setattr(rollups, "DELTA_MAX_TRAINEES", delta_max)
        rows = [line(f"NEW-{delta_max}-{i}", f"N{i % 4}", "XJ-CHILDREN", rng.choice(hosts).code, rng.choice(programs).code,
                     random_day(rng)) for i in range(8)]
        for t in Training.objects.filter(ref__startswith="T").order_by("ref")[delta_max % 7: delta_max % 7 + 5]:
            rows.append(line(t.ref, t.trainee_id, t.trainee.hospital_id, rng.choice(hosts).code, "BJ-XIGAZE",
                             random_day(rng)))
        path.write_text(header + "".join(rows), encoding="utf-8")
        report = import_bundle(path)
        assert report.ok, [str(e) for e in report.errors]
        check(world, rng, n_periods=4)

    # hospitals.csv moves a host to Shanghai: its hosted trainees' rows follow
    hospitals_csv = Path(tmp_path, "hospitals.csv")
    hospitals_csv.write_text(
        "code,name,name_zh,region_code,grade,kind\nBJ-CHAOYANG,Chaoyang Hospital,,310000,3A,general\n",
        encoding="utf-8",
    )
    report = import_bundle(hospitals_csv)
    assert report.ok, [str(e) for e in report.errors]
    assert Hospital.objects.get(code="BJ-CHAOYANG").region_id == "310000"
    check(world, rng, n_periods=4)

    # the host back in its Beijing county (a model save), then regions.csv
    # puts the county under Shanghai: every hospital below it changes province
    host = Hospital.objects.get(code="BJ-CHAOYANG")
    host.region = world.chaoyang
    host.save()
    assert TraineeGroupSpanMonth.objects.filter(group="host", code="BJ-CHAOYANG").exists()
    check(world, rng, n_periods=3)
    Region.objects.create(code="310100", name="Shanghai city", level="prefecture", parent=world.shanghai)
    regions_csv = Path(tmp_path, "regions.csv")
    regions_csv.write_text("code,name,name_zh,level,parent_code\n110105,Chaoyang,,county,310100\n", encoding="utf-8")
    report = import_bundle(regions_csv)
    assert report.ok, [str(e) for e in report.errors]
    assert Region.objects.get(code="110105").parent_id == "310100"
    check(world, rng, n_periods=4)

    dump = tmp_path / "dump.json"
    call_command("dumpdata", "outcomes.training", "outcomes.traineegroupspanmonth", output=str(dump), verbosity=0)
    Training.objects.all().delete()
    assert not TraineeGroupSpanMonth.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)
    check(world, rng, n_periods=3)
    TraineeGroupSpanMonth.objects.all().delete()  # as after raw SQL that bypassed the models
    call_command("rebuild_rollups", verbosity=0)
    check(world, rng, n_periods=3)


def test_a_program_trainee_counted_once_across_a_gap(setting):
    """One trainee, two trainings of a program with a gap between them, one
    hosted further study: whole-month periods count the trainee once."""
    world, hospitals, trainees, programs, hosts = setting
    person = f.TraineeFactory(code="ONE", hospital=world.lhasa_peoples)
    for ref, start, end in (("A", "2023-01-10", "2023-03-20"), ("B", "2023-09-01", None)):
        f.TrainingFactory(ref=ref, trainee=person, program=world.bj_lhasa, kind="further_study",
                          host_hospital=world.bj_friendship, start_date=dt.date.fromisoformat(start),
                          end_date=end and dt.date.fromisoformat(end))
    spans = sorted(TraineeGroupSpanMonth.objects.filter(group="program", code="BJ-LHASA", specialty="",
                                                        kind="any").values_list("first_month", "last_month", "n"))
    assert spans == [(dt.date(2023, 1, 1), dt.date(2023, 3, 1), 1), (dt.date(2023, 9, 1), dt.date(2023, 3, 1), -1),
                     (dt.date(2023, 9, 1), rollups.ONGOING_MONTH, 1)]
    for start, end, expected in (("2023-01-01", "2023-12-31", 1), ("2023-04-01", "2023-08-31", 0),
                                 ("2026-01-01", "2026-01-31", 1)):
        period = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
        assert summary.trainee_figures(None, period, program="BJ-LHASA")["total"] == expected
        assert summary.donor_summary("110000", period)["trainees"]["hosted"] == expected
        rows = {r["code"]: r["trainees_hosted"] for r in donor_figures.donor_hospitals("110000", period)}
        assert rows.get("BJ-FRIENDSHIP", 0) == expected


def test_one_save_with_a_program_and_a_host_costs_two_statements_more(setting, django_assert_num_queries):
    world, hospitals, trainees, programs, hosts = setting
    training = f.TrainingFactory(trainee=trainees[0], program=world.bj_lhasa, kind="further_study",
                                 host_hospital=world.bj_friendship, start_date=dt.date(2024, 2, 10), end_date=None)
    training = Training.objects.get(pk=training.pk)
    training.end_date = dt.date(2024, 5, 31)
    # as tests/outcomes/test_trainee_rollups.py's one save (13, +1 lock on
    # PostgreSQL): the contributions of this rollup come from the same two
    # reads; its adjustment adds an upsert and a clean-up
    with django_assert_num_queries(15 + (1 if _postgres() else 0)):
        training.save()
    period = Period(dt.date(2024, 6, 1), None)
    assert summary.trainee_figures(None, period, program="BJ-LHASA")["total"] == 0
    assert summary.donor_summary("110000", period)["trainees"]["hosted"] == 0


def _postgres():
    from django.db import connection

    return connection.vendor == "postgresql"
