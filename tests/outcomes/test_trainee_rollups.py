"""The trainee rollups (outcomes.TraineeSpanMonth, TrainingCountMonth; see
outcomes/rollups.py) against a straightforward computation from the training
rows: random trainings that overlap, touch, leave gaps or never end, random
writes of every kind (model saves and deletes, a trainee moving hospital,
bulk_create, update, queryset delete, the importer in both its modes,
loaddata) and many periods of whole months, where the summary reads the
rollups, and of single days, where it does not."""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.core.management import call_command

from figures import donor as donor_figures
from figures import overview as overview_figures
from figures import series, summary
from hospitals.models import Hospital, Specialty
from aidtracker.lib.periods import Period, month_end, month_start
from interchange.importer import import_bundle
from outcomes import rollups
from deployments.models import Program
from outcomes.models import ANY_KIND, Trainee, TraineeSpanMonth, Training, TrainingCountMonth
from tests import factories as f

SPECIALTIES = ("general_surgery", "cardiology", "orthopaedics")
DONORS = ("110000", "310000")
KINDS = ("onsite_course", "mentorship", "further_study")
FIRST, LAST = dt.date(2023, 1, 1), dt.date(2024, 12, 31)
DAYS = (LAST - FIRST).days
FIRST_TO_LAST = Period(FIRST, LAST)


# --------------------------------------------------------------------------
# The spec's definitions, computed row by row


def raw_trainees(region, period, specialty=None, donor=None):
    """Region None: every hospital's trainees."""
    hospitals = set((Hospital.objects.in_region(region) if region else Hospital.objects).values_list("code", flat=True))
    total, independent = set(), set()
    by_kind = {kind: set() for kind in KINDS}
    for t in Training.objects.select_related("trainee", "program"):
        if t.trainee.hospital_id not in hospitals:
            continue
        if specialty and t.specialty_id != specialty:
            continue
        if donor and (t.program is None or t.program.donor_region_id != donor):
            continue
        overlaps = (period.end is None or t.start_date <= period.end) and (
            period.start is None or t.end_date is None or t.end_date >= period.start
        )
        if overlaps:
            total.add(t.trainee_id)
            by_kind[t.kind].add(t.trainee_id)
        if t.independent_on and (period.start is None or t.independent_on >= period.start) and (
            period.end is None or t.independent_on <= period.end
        ):
            independent.add(t.trainee_id)
    return {
        "total": len(total),
        "by_kind": {kind: len(people) for kind, people in by_kind.items()},
        "independent": len(independent),
    }


def raw_trainings(region, period, specialty=None, donor=None, kind=None):
    """The trainings overlapping the period, counted one by one."""
    hospitals = set((Hospital.objects.in_region(region) if region else Hospital.objects).values_list("code", flat=True))
    return sum(
        1 for t in Training.objects.select_related("trainee", "program")
        if t.trainee.hospital_id in hospitals
        and (not specialty or t.specialty_id == specialty)
        and (not donor or (t.program is not None and t.program.donor_region_id == donor))
        and (not kind or t.kind == kind)
        and (period.end is None or t.start_date <= period.end)
        and (period.start is None or t.end_date is None or t.end_date >= period.start)
    )


def counted_trainings(region, period, specialty=None, donor=None, kind=None):
    """The same from the rollup (periods of whole months)."""
    rows = TrainingCountMonth.objects.spans(period, region=region, specialty=specialty, donor=donor,
                                            kind=kind or ANY_KIND)
    return sum(rows.values_list("trainings", flat=True))


def raw_starts(region, period, specialty=None, donor=None):
    """{'YYYY-MM': {kind: n, 'total': n}}: distinct trainees beginning a training."""
    hospitals = set(Hospital.objects.in_region(region).values_list("code", flat=True))
    months = {}
    for t in Training.objects.select_related("trainee", "program"):
        if specialty and t.specialty_id != specialty:
            continue
        if donor and (t.program is None or t.program.donor_region_id != donor):
            continue
        if t.trainee.hospital_id in hospitals and period.start <= t.start_date <= period.end:
            month = months.setdefault(t.start_date.strftime("%Y-%m"), {"total": set(), **{k: set() for k in KINDS}})
            month["total"].add(t.trainee_id)
            month[t.kind].add(t.trainee_id)
    return {key: {k: len(v) for k, v in month.items()} for key, month in months.items()}


def raw_starts_per_year(donor, period, specialty=None, recipient=None):
    """{year: {kind: n, 'total': n}}: distinct trainees beginning a training of
    the donor's programs within the period, per year."""
    hospitals = set((Hospital.objects.in_region(recipient) if recipient else Hospital.objects).values_list("code", flat=True))
    years = {}
    for t in Training.objects.select_related("trainee", "program"):
        if t.trainee.hospital_id not in hospitals or t.program is None or t.program.donor_region_id != donor:
            continue
        if specialty and t.specialty_id != specialty:
            continue
        if period.start <= t.start_date <= period.end:
            year = years.setdefault(t.start_date.year, {"total": set(), **{k: set() for k in KINDS}})
            year["total"].add(t.trainee_id)
            year[t.kind].add(t.trainee_id)
    return {key: {k: len(v) for k, v in year.items()} for key, year in years.items()}


# --------------------------------------------------------------------------


def month_periods(rng, n):
    """Periods of whole months (the rollup's), open ends included."""
    periods = [Period(), Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), Period(dt.date(2023, 6, 1), None),
               Period(None, dt.date(2023, 8, 31)), Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))]
    while len(periods) < n:
        a, b = sorted([month_start(random_day(rng)), month_start(random_day(rng))])
        shape = rng.random()
        if shape < 0.15:
            periods.append(Period(a, None))
        elif shape < 0.3:
            periods.append(Period(None, month_end(b)))
        else:
            periods.append(Period(a, month_end(b)))
    return periods


def day_periods(rng, n):
    periods = []
    while len(periods) < n:
        a, b = sorted([random_day(rng), random_day(rng)])
        periods.append(Period(a, a) if rng.random() < 0.3 else Period(a, b))
    return periods


def random_day(rng):
    return FIRST + dt.timedelta(days=rng.randrange(DAYS + 1))


def check(world, rng, n_periods=6):
    """Every trainee figure equals the row-by-row computation, and the
    rollups equal a rebuild from scratch."""
    for region in (world.tibet, world.xinjiang):
        for period in month_periods(rng, n_periods) + day_periods(rng, 2):
            got = summary.region_summary(region, period)
            assert got["trainees"] == raw_trainees(region, period), (region.code, period)
            overview = {r["code"]: r for r in overview_figures.overview(period)}
            if region.code in overview:  # a recipient region (Xinjiang has no program here)
                assert overview[region.code]["trainees"] == got["trainees"]["total"], (region.code, period)
        # the filters: from the rollup's donor and specialty keys for whole
        # months, from the trainings for days; the same answer either way
        for period in month_periods(rng, n_periods // 2) + day_periods(rng, 2):
            for specialty, donor in ((rng.choice(SPECIALTIES), None), (None, rng.choice(DONORS)),
                                     (rng.choice(SPECIALTIES), rng.choice(DONORS))):
                got = summary.region_summary(region, period, specialty=specialty, donor=donor)["trainees"]
                assert got == raw_trainees(region, period, specialty=specialty, donor=donor), (
                    region.code, period, specialty, donor)
        # the trainings list's row count, from the count rollup
        for period in month_periods(rng, n_periods // 2):
            specialty, donor = rng.choice([None, *SPECIALTIES]), rng.choice([None, *DONORS])
            kind = rng.choice([None, *KINDS])
            assert counted_trainings(region, period, specialty, donor, kind) == raw_trainings(
                region, period, specialty, donor, kind), (region.code, period, specialty, donor, kind)
        # the chart of trainees starting per month, with and without filters
        # (whole months: from the rollup's start-date rows; days: from the
        # trainings)
        for charted in (Period(dt.date(2023, 1, 1), dt.date(2024, 12, 31)),
                        Period(dt.date(2023, 3, 14), dt.date(2024, 2, 9))):
            for specialty, donor in ((None, None), (rng.choice(SPECIALTIES), None), (None, rng.choice(DONORS)),
                                     (rng.choice(SPECIALTIES), rng.choice(DONORS))):
                expected = raw_starts(region, charted, specialty=specialty, donor=donor)
                months = series.trainees_per_month(region, charted, specialty=specialty, donor=donor,
                                                   grouping="month")
                assert months and all(not m["partial"] or m is months[0] or m is months[-1] for m in months)
                for month in months:
                    want = expected.get(month["month"], {"total": 0, **{k: 0 for k in KINDS}})
                    assert {k: month[k] for k in ("month", *want)} == {"month": month["month"], **want}, (
                        region.code, charted, specialty, donor, month)
    # every donor at once (/donors/) and one donor's summary, all regions
    for period in month_periods(rng, n_periods // 2) + day_periods(rng, 2):
        overview = {row["code"]: row["trainees"] for row in donor_figures.donors_overview(period)}
        for donor in DONORS:
            want = raw_trainees(None, period, donor=donor)
            assert overview.get(donor, 0) == want["total"], (donor, period)
            specialty = rng.choice([None, *SPECIALTIES])
            got = summary.donor_summary(donor, period, specialty=specialty)["trainees"]
            del got["hosted"]
            assert got == raw_trainees(None, period, specialty=specialty, donor=donor), (donor, period, specialty)
    # the donor dashboard's trainees starting per year: from the rollup's
    # start-date rows for whole months, from the trainings for days
    for donor in DONORS:
        for period in (FIRST_TO_LAST, Period(dt.date(2023, 5, 1), dt.date(2024, 8, 31)),
                       Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), *day_periods(rng, 1)):
            for specialty, recipient in ((None, None), (rng.choice(SPECIALTIES), None), (None, world.tibet.code)):
                want = raw_starts_per_year(donor, period, specialty=specialty, recipient=recipient)
                got = donor_figures.trainees_per_year(donor, period, specialty=specialty, recipient=recipient)
                assert [row["year"] for row in got] == list(range(period.start.year, period.end.year + 1))
                for row in got:
                    expected = want.get(row["year"], {"total": 0, **{k: 0 for k in KINDS}})
                    assert {k: row[k] for k in expected} == expected, (donor, period, specialty, recipient, row)
    assert_rollups_are_a_fresh_rebuild()


def rollup_rows():
    spans = sorted(TraineeSpanMonth.objects.values_list(
        "hospital_id", "donor", "specialty", "kind", "first_month", "last_month", "n"))
    counts = sorted(TrainingCountMonth.objects.values_list(
        "hospital_id", "donor", "specialty", "kind", "first_month", "last_month", "trainings"))
    return spans, counts


def assert_rollups_are_a_fresh_rebuild():
    kept = rollup_rows()
    rollups.rebuild_trainees()
    assert kept == rollup_rows()
    assert all(row[-1] != 0 for row in kept[0]) and all(row[-1] > 0 for row in kept[1])


def random_training(rng, trainees, programs, **kwargs):
    start = random_day(rng)
    shape = rng.random()
    if shape < 0.15:
        end = None  # ongoing
    elif shape < 0.3:
        end = start  # one day
    else:
        end = min(start + dt.timedelta(days=rng.randrange(1, 120)), LAST)
    kind = rng.choice(KINDS)
    values = {
        "ref": f"T{rng.randrange(10**9):09d}",
        "trainee": rng.choice(trainees),
        "specialty_id": rng.choice(SPECIALTIES),
        "kind": kind,
        "host_hospital": programs[0].recipient_hospital if kind == "further_study" else None,
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
    hospitals = [world.lhasa_peoples, world.xigaze_peoples, world.pulan, world.xj_children]
    trainees = [f.TraineeFactory(code=f"P{i:03d}", hospital=hospitals[i % len(hospitals)]) for i in range(14)]
    # Beijing's second program: one trainee's trainings of two programs of a donor merge
    bj_xigaze = f.ProgramFactory(code="BJ-XIGAZE", donor_region=world.beijing, recipient_hospital=world.xigaze_peoples)
    return world, hospitals, trainees, [world.bj_lhasa, world.sh_xigaze, bj_xigaze]


@pytest.mark.parametrize("seed", [1, 2])
def test_trainee_figures_equal_the_rows_through_random_writes(setting, seed):
    world, hospitals, trainees, programs = setting
    rng = random.Random(seed)
    Training.objects.bulk_create([random_training(rng, trainees, programs) for _ in range(90)])
    for _ in range(10):
        random_training(rng, trainees, programs).save()
    check(world, rng)

    # edits: other dates, kind, trainee; a second save of the same instance
    for training in rng.sample(list(Training.objects.all()), 12):
        training.start_date = random_day(rng)
        training.end_date = rng.choice([None, training.start_date + dt.timedelta(days=rng.randrange(60))])
        training.trainee = rng.choice(trainees)
        training.save()
        if rng.random() < 0.4:
            training.independent_on = random_day(rng)
            training.save()
    for training in rng.sample(list(Training.objects.all()), 8):
        training.delete()
    # a trainee moves to a hospital in another region, one loaded afresh
    mover = Trainee.objects.get(code="P001")
    mover.hospital = world.xj_children
    mover.save()
    stranger = Trainee(code="P002", name="Trainee 2", hospital=world.pulan, role="nurse")
    stranger.save()  # not loaded from the database: its old hospital is looked up
    check(world, rng)

    # queryset update and delete; a bulk upsert that moves trainings
    Training.objects.filter(start_date__lt=dt.date(2023, 4, 1)).update(end_date=None)
    Training.objects.filter(trainee__code="P003").update(trainee=trainees[4])
    Training.objects.filter(kind="mentorship", start_date__gte=dt.date(2024, 10, 1)).delete()
    Trainee.objects.filter(code__in=["P005", "P006"]).update(hospital=world.lhasa_peoples)
    fields = [field.attname for field in Training._meta.concrete_fields if field.attname != "id"]
    moved = [Training(**{**{name: getattr(t, name) for name in fields}, "trainee_id": "P007"})
             for t in Training.objects.order_by("ref")[:5]]
    Training.objects.bulk_create(
        moved, update_conflicts=True, unique_fields=["ref"], update_fields=["trainee"]
    )
    check(world, rng)

    # trainings change program and specialty; a program changes donor
    for training in rng.sample(list(Training.objects.all()), 10):
        training.program = rng.choice([None, *programs])
        training.specialty_id = rng.choice(SPECIALTIES)
        training.save()
    Training.objects.filter(specialty="cardiology", start_date__gte=dt.date(2024, 6, 1)).update(
        program=programs[1], specialty="orthopaedics"
    )
    moved = Program.objects.get(code="BJ-XIGAZE")
    moved.donor_region = world.shanghai
    moved.save()
    check(world, rng)
    programs[0].donor_region = world.shanghai  # an instance saved before: no lookup of its old donor
    programs[0].save()
    programs[0].donor_region = world.beijing
    programs[0].save()
    check(world, rng)
    # a queryset's update of programs, which no model signal announces
    Program.objects.filter(code="BJ-XIGAZE").update(donor_region=world.beijing)
    check(world, rng)


@pytest.mark.parametrize("delta_max", [500, 3])
def test_trainee_rollups_follow_the_importer(setting, tmp_path, monkeypatch, delta_max):
    """A few trainees: adjusted; many (delta_max=3 here): their hospitals rebuilt."""
    monkeypatch.setattr(rollups, "DELTA_MAX_TRAINEES", delta_max)
    world, hospitals, trainees, programs = setting
    rng = random.Random(11)
    Training.objects.bulk_create([random_training(rng, trainees, programs) for _ in range(40)])
    header = (
        "ref,trainee_id,trainee_name,hospital_code,specialty,role,kind,host_hospital_code,program_code,"
        "start_date,end_date,hours,status,independent_on,skill\n"
    )

    def bundle(rows):
        path = Path(tmp_path, "trainings.csv")
        path.write_text(header + "".join(rows), encoding="utf-8")
        return path

    def line(ref, trainee, hospital, start, end, independent=""):
        return (f"{ref},{trainee},Trainee {trainee},{hospital},general_surgery,doctor,mentorship,,,"
                f"{start},{end or ''},,ongoing,{independent},\n")

    # new trainees, each with one home hospital on every row
    homes = {f"N{i}": rng.choice(hospitals).code for i in range(5)}
    rows = []
    for i in range(12):
        start = random_day(rng)
        end = rng.choice([None, start + dt.timedelta(days=30)])
        rows.append(line(f"NEW-{i}", f"N{i % 5}", homes[f"N{i % 5}"], start, end))
    # existing trainings moved to other dates and trainees; a trainee moving hospital
    for t in Training.objects.select_related("trainee").order_by("ref")[:8]:
        start = random_day(rng)
        rows.append(line(t.ref, "P008", "XJ-CHILDREN", start, start + dt.timedelta(days=10), start))
    report = import_bundle(bundle(rows))
    assert report.ok, [str(e) for e in report.errors]
    assert Trainee.objects.get(code="P008").hospital_id == "XJ-CHILDREN"
    check(world, rng, n_periods=8)
    assert import_bundle(bundle(rows), dry_run=True).ok
    assert import_bundle(bundle(rows)).ok
    check(world, rng, n_periods=3)


@pytest.mark.parametrize("delta_max", [500, 3])
def test_an_import_that_moves_a_program_to_another_donor(setting, tmp_path, monkeypatch, delta_max):
    """programs.csv alone: the trainings of a program whose donor changes
    move from one donor's span rows to the other's."""
    monkeypatch.setattr(rollups, "DELTA_MAX_TRAINEES", delta_max)
    world, hospitals, trainees, programs = setting
    rng = random.Random(13)
    Training.objects.bulk_create([random_training(rng, trainees, programs) for _ in range(40)])
    path = Path(tmp_path, "programs.csv")
    path.write_text(
        "code,name,name_zh,kind,donor_region_code,recipient_hospital_code,start_date,end_date\n"
        "BJ-XIGAZE,Beijing aid to Xigaze,,group_aid,310000,XG-PEOPLES,2020-01-01,\n",
        encoding="utf-8",
    )
    report = import_bundle(path)
    assert report.ok, [str(e) for e in report.errors]
    assert Program.objects.get(code="BJ-XIGAZE").donor_region_id == "310000"
    check(world, rng, n_periods=6)


def test_loaddata_and_the_rebuild_command(setting, tmp_path):
    world, hospitals, trainees, programs = setting
    rng = random.Random(5)
    Training.objects.bulk_create([random_training(rng, trainees, programs) for _ in range(30)])
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "outcomes.training", "outcomes.traineespanmonth", output=str(dump), verbosity=0)
    Training.objects.all().delete()
    assert not TraineeSpanMonth.objects.exists() and not TrainingCountMonth.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)
    assert Training.objects.count() == 30
    check(world, rng, n_periods=5)
    TraineeSpanMonth.objects.all().delete()  # as after raw SQL that bypassed the models
    TrainingCountMonth.objects.all().delete()
    call_command("rebuild_rollups", verbosity=0)
    check(world, rng, n_periods=3)


def test_gaps_make_the_count_distinct(setting):
    """One trainee, three trainings: two that overlap, one after a gap, and
    an independence date in the gap. Whole-month periods over the gap count
    the trainee once."""
    world, hospitals, trainees, programs = setting
    lhasa = world.lhasa_peoples
    person = f.TraineeFactory(code="ONE", hospital=lhasa)
    for ref, start, end in (("A", "2023-01-10", "2023-03-20"), ("B", "2023-03-01", "2023-04-05"),
                            ("C", "2023-09-01", None)):
        f.TrainingFactory(ref=ref, trainee=person, start_date=dt.date.fromisoformat(start),
                          end_date=end and dt.date.fromisoformat(end),
                          independent_on=dt.date(2023, 6, 15) if ref == "A" else None)
    spans = sorted(TraineeSpanMonth.objects.filter(hospital=lhasa, kind="any", donor="", specialty="").values_list(
        "first_month", "last_month", "n"))
    assert spans == [
        (dt.date(2023, 1, 1), dt.date(2023, 4, 1), 1),  # A and B merged
        (dt.date(2023, 9, 1), dt.date(2023, 4, 1), -1),  # the gap between them
        (dt.date(2023, 9, 1), rollups.ONGOING_MONTH, 1),  # C, ongoing
    ]
    for start, end, expected in (("2023-01-01", "2023-12-31", 1), ("2023-05-01", "2023-08-31", 0),
                                 ("2023-04-01", "2023-09-30", 1), ("2026-01-01", "2026-01-31", 1)):
        got = summary.region_summary(world.tibet, Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end)))
        assert got["trainees"]["total"] == expected, (start, end)
        assert got["trainees"]["independent"] == (1 if start <= "2023-06-15" <= end else 0)


def test_one_save_adjusts_the_rollups_in_few_queries(setting, django_assert_num_queries):
    world, hospitals, trainees, programs = setting
    training = f.TrainingFactory(trainee=trainees[0], start_date=dt.date(2024, 2, 10), end_date=None)
    training = Training.objects.get(pk=training.pk)
    training.end_date = dt.date(2024, 5, 31)
    # a savepoint (the save is atomic); the rollups' lock (PostgreSQL);
    # contributions before: 2 (spans, training counts); UPDATE, history
    # INSERT, data version (aidtracker/cache.py); contributions after: 2;
    # the adjustment: an upsert and a clean-up per rollup that changed (the
    # spans and the training counts here); the savepoint's release
    with django_assert_num_queries(13 + (1 if _postgres() else 0)):
        training.save()
    assert summary.region_summary(world.tibet, Period(dt.date(2024, 6, 1), None))["trainees"]["total"] == 0


def _postgres():
    from django.db import connection

    return connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_trainee_leave_the_rollups_exact():
    """Two threads edit trainings of the same trainee at once (PostgreSQL,
    real transactions): the adjustments take turns, so the rollups end equal
    to a rebuild from scratch."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite serialises writers with its own lock)")
    world = f.make_world()
    Specialty.objects.get_or_create(code="general_surgery", defaults={"name": "General surgery", "name_zh": "普外科"})
    person = f.TraineeFactory(code="BOTH", hospital=world.lhasa_peoples)
    trainings = [f.TrainingFactory(ref=f"C{i}", trainee=person, start_date=dt.date(2024, 1 + i, 1),
                                   end_date=dt.date(2024, 1 + i, 20)) for i in range(2)]
    errors = []

    def edit(pk, seed):
        rng = random.Random(seed)
        try:
            for _ in range(12):
                training = Training.objects.get(pk=pk)
                training.start_date = dt.date(2024, rng.randint(1, 6), rng.randint(1, 28))
                training.end_date = rng.choice([None, training.start_date + dt.timedelta(days=rng.randrange(90))])
                training.save()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(t.pk, i)) for i, t in enumerate(trainings)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert_rollups_are_a_fresh_rebuild()
    assert summary.region_summary(world.tibet)["trainees"]["total"] == 1
