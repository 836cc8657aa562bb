"""The monthly surgery rollup (outcomes/rollups.py) against a straightforward
computation from the surgery rows, for random data, random writes of every
kind (model saves and deletes, bulk_create, update, queryset delete, the
importer, loaddata) and many random periods and filters."""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.core.management import call_command

from figures import overview as overview_figures
from figures import series, summary
from hospitals.models import Hospital, Specialty
from aidtracker.lib.periods import Period, month_end
from interchange.importer import import_bundle
from outcomes import rollups
from outcomes.models import MINIMALLY_INVASIVE, SURGERY_COUNTS, Surgery, SurgeryMonth
from tests import factories as f

SPECIALTIES = ("general_surgery", "cardiology", "orthopaedics")
FIRST, LAST = dt.date(2023, 11, 1), dt.date(2024, 4, 30)
DAYS = (LAST - FIRST).days


# --------------------------------------------------------------------------
# The spec's definitions, computed row by row


def raw_surgeries(region, period, specialty=None, donor=None):
    hospitals = set(Hospital.objects.in_region(region).values_list("code", flat=True))
    rows = []
    for s in Surgery.objects.select_related("team__program"):
        if s.hospital_id not in hospitals:
            continue
        if (period.start and s.date < period.start) or (period.end and s.date > period.end):
            continue
        if specialty and s.specialty_id != specialty:
            continue
        if donor and (s.team is None or s.team.program.donor_region_id != donor):
            continue
        rows.append(s)
    return rows


def raw_figures(rows):
    return {
        "total": len(rows),
        "by_lead": {lead: sum(s.lead == lead for s in rows) for lead in ("visiting", "joint", "local")},
        "by_grade": {str(g): sum(s.grade == g for s in rows) for g in (1, 2, 3, 4)},
        "minimally_invasive": sum(s.approach in MINIMALLY_INVASIVE for s in rows),
        "demonstration": sum(s.demonstration for s in rows),
        "first_in_region": sum(s.first_in_region for s in rows),
    }


def raw_by_donor(rows, code):
    return sum(1 for s in rows if s.team and s.team.program.donor_region_id == code)


def raw_months(rows, period):
    counts = {}
    for s in rows:
        key = s.date.strftime("%Y-%m")
        month = counts.setdefault(key, dict.fromkeys(MONTH_KEYS, 0))
        month[s.lead] += 1
        month["total"] += 1
        month["grade_3_4"] += s.grade in (3, 4)
        month["local_grade_3_4"] += s.grade in (3, 4) and s.lead == "local"
    return counts


MONTH_KEYS = ("visiting", "joint", "local", "total", "grade_3_4", "local_grade_3_4")


def raw_safety(rows):
    """Safety by who led (docs/figures.md), row by row."""
    result = {}
    for lead in ("visiting", "joint", "local"):
        led = [s for s in rows if s.lead == lead]
        complications = sum(s.outcome == "complication" for s in led)
        deaths = sum(s.outcome == "death" for s in led)
        result[lead] = {
            "surgeries": len(led),
            "complications": complications,
            "complication_rate_percent": round(100 * complications / len(led), 1) if led else None,
            "deaths": deaths,
            "death_rate_percent": round(100 * deaths / len(led), 1) if led else None,
        }
    return result


# --------------------------------------------------------------------------


def random_day(rng):
    day = FIRST + dt.timedelta(days=rng.randrange(DAYS + 1))
    kind = rng.random()
    if kind < 0.25:
        return day.replace(day=1)  # a month's first day
    if kind < 0.5:
        return month_end(day)  # a month's last day
    return day


def random_periods(rng, n):
    periods = [Period(), Period(dt.date(2024, 2, 29), dt.date(2024, 2, 29)), Period(dt.date(2024, 1, 1), None),
               Period(None, dt.date(2024, 1, 31)), Period(dt.date(2023, 12, 31), dt.date(2024, 2, 1))]
    while len(periods) < n:
        a, b = sorted([random_day(rng), random_day(rng)])
        shape = rng.random()
        if shape < 0.15:
            periods.append(Period(a, a))  # one day
        elif shape < 0.25:
            periods.append(Period(a, None))
        elif shape < 0.35:
            periods.append(Period(None, b))
        else:
            periods.append(Period(a, b))
    return periods


def check(world, rng, n_periods=12):
    """Every figure that reads the rollup equals the row-by-row computation."""
    tibet = world.tibet
    for period in random_periods(rng, n_periods):
        specialty = rng.choice([None, None, *SPECIALTIES])
        donor = rng.choice([None, None, "110000", "310000"])
        rows = raw_surgeries(tibet, period, specialty, donor)
        got = summary.region_summary(tibet, period, specialty=specialty, donor=donor)
        context = (period, specialty, donor)
        assert got["surgeries"] == raw_figures(rows), context
        for entry in got["by_donor"]:
            assert entry["surgeries"] == raw_by_donor(rows, entry["code"]), context
        if period.start and period.end:
            charted = series.surgeries_per_month(tibet, period, specialty=specialty, donor=donor)
            expected = raw_months(rows, period)
            for month in charted:
                want = expected.get(month["month"], dict.fromkeys(MONTH_KEYS, 0))
                assert {k: month[k] for k in want} == want, (context, month)
            dashboard = series.region_dashboard(tibet, period, specialty=specialty, donor=donor)
            assert dashboard["summary"] == got
            assert dashboard["charts"]["surgeries_per_month"] == charted
            # The new rollup columns: outcomes by who led, row by row.
            assert dashboard["safety"]["by_lead"] == raw_safety(rows), context
        overview = {r["code"]: r for r in overview_figures.overview(period)}
        everything = raw_surgeries(tibet, period)
        assert overview["540000"]["surgeries"] == len(everything), period
        assert overview["540000"]["surgeries_local"] == sum(s.lead == "local" for s in everything), period
    assert_rollup_is_a_fresh_rebuild()


def assert_rollup_is_a_fresh_rebuild():
    fields = ("hospital_id", "month", "specialty_id", "team_id", *SURGERY_COUNTS)
    def rows():
        return sorted(SurgeryMonth.objects.values_list(*fields), key=lambda r: tuple(str(v) for v in r))

    kept = rows()
    rollups.rebuild_surgery_months()
    assert kept == rows()
    assert all(row[4] > 0 for row in kept)  # no empty groups left behind


def random_surgery(rng, hospitals, teams, **kwargs):
    hospital = rng.choice(hospitals)
    values = {
        "ref": f"R{rng.randrange(10**9):09d}",
        "date": FIRST + dt.timedelta(days=rng.randrange(DAYS + 1)),
        "hospital": hospital,
        "specialty_id": rng.choice(SPECIALTIES),
        "grade": rng.randint(1, 4),
        "approach": rng.choice(["open", "laparoscopic", "robotic", "other"]),
        "lead": rng.choice(["visiting", "joint", "local"]),
        "team": rng.choice([None, *teams]),
        "demonstration": rng.random() < 0.3,
        "first_in_region": rng.random() < 0.2,
        "outcome": rng.choice(["success", "success", "complication", "death"]),
        **kwargs,
    }
    return f.SurgeryFactory.build(**values)


@pytest.fixture
def setting(world):
    for code in SPECIALTIES:
        Specialty.objects.get_or_create(code=code, defaults={"name": code, "name_zh": code})
    teams = [
        f.TeamFactory(code="BJ-LHASA-1", program=world.bj_lhasa),
        f.TeamFactory(code="BJ-LHASA-2", program=world.bj_lhasa),
        f.TeamFactory(code="SH-XIGAZE-1", program=world.sh_xigaze),
    ]
    hospitals = [world.lhasa_peoples, world.xigaze_peoples, world.pulan, world.xj_children]
    return world, hospitals, teams


@pytest.mark.parametrize("seed", [1, 2])
def test_rollup_figures_equal_the_rows_through_random_writes(setting, seed):
    world, hospitals, teams = setting
    rng = random.Random(seed)
    # bulk_create, then single saves
    Surgery.objects.bulk_create([random_surgery(rng, hospitals, teams) for _ in range(250)])
    for _ in range(15):
        random_surgery(rng, hospitals, teams).save()
    check(world, rng)

    # edits that move surgeries to another hospital, month, specialty or team
    for surgery in rng.sample(list(Surgery.objects.all()), 15):
        surgery.hospital = rng.choice(hospitals)
        surgery.date = FIRST + dt.timedelta(days=rng.randrange(DAYS + 1))
        surgery.specialty_id = rng.choice(SPECIALTIES)
        surgery.team = rng.choice([None, *teams])
        surgery.outcome = rng.choice(["success", "complication", "death"])
        surgery.save()
        if rng.random() < 0.3:
            surgery.lead = "local"
            surgery.save()  # a second save of the same instance
    for surgery in rng.sample(list(Surgery.objects.all()), 10):
        surgery.delete()
    check(world, rng)

    # queryset update (plain values and a new hospital/date) and delete
    Surgery.objects.filter(date__lt=dt.date(2024, 1, 10), lead="joint").update(lead="visiting", grade=4)
    Surgery.objects.filter(outcome="success", grade=3).update(outcome="death", lead="local")
    Surgery.objects.filter(hospital=world.pulan, date__month=2).update(
        hospital=world.lhasa_peoples, date=dt.date(2024, 3, 31)
    )
    Surgery.objects.filter(specialty="cardiology", date__gte=dt.date(2024, 3, 15)).delete()
    Surgery.objects.filter(team=teams[0]).update(team=teams[2])
    check(world, rng)


def test_rollup_follows_the_importer(setting, tmp_path):
    world, hospitals, teams = setting
    rng = random.Random(7)
    Surgery.objects.bulk_create([random_surgery(rng, hospitals, teams) for _ in range(80)])
    header = (
        "ref,date,hospital_code,specialty,procedure,grade,approach,lead,team_code,"
        "demonstration,first_in_region,outcome,blood_loss_ml\n"
    )

    def bundle(rows):
        path = Path(tmp_path, "surgeries.csv")
        path.write_text(header + "".join(rows), encoding="utf-8")
        return path

    def line(ref, day, hospital, team, lead):
        grade, outcome = rng.choice([(2, "success"), (3, "complication"), (4, "death"), (4, "success")])
        return (f"{ref},{day},{hospital},general_surgery,Cholecystectomy,{grade},laparoscopic,{lead},{team},"
                f"no,no,{outcome},\n")

    existing = list(Surgery.objects.order_by("ref")[:20])
    rows = [line(f"NEW-{i}", random_day(rng), rng.choice(hospitals).code, rng.choice(teams).code, "local")
            for i in range(40)]
    # updates of existing rows that move them to another hospital and month
    rows += [line(s.ref, random_day(rng), rng.choice(hospitals).code, "", "joint") for s in existing]
    report = import_bundle(bundle(rows))
    assert report.ok, [str(e) for e in report.errors]
    check(world, rng, n_periods=10)
    # a dry run and an import that changes nothing leave it as it is
    assert import_bundle(bundle(rows), dry_run=True).ok
    assert import_bundle(bundle(rows)).ok
    check(world, rng, n_periods=4)


def test_loaddata_of_a_dump_with_the_rollup_and_rebuild_command(setting, tmp_path):
    world, hospitals, teams = setting
    rng = random.Random(3)
    Surgery.objects.bulk_create([random_surgery(rng, hospitals, teams) for _ in range(60)])
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "outcomes.surgery", "outcomes.surgerymonth", output=str(dump), verbosity=0)
    Surgery.objects.all().delete()
    assert not SurgeryMonth.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)
    assert Surgery.objects.count() == 60
    check(world, rng, n_periods=6)
    SurgeryMonth.objects.all().delete()  # as after raw SQL that bypassed the models
    call_command("rebuild_rollups", verbosity=0)
    check(world, rng, n_periods=4)


def test_one_save_rebuilds_its_group_in_two_queries(setting, django_assert_num_queries):
    world, hospitals, teams = setting
    surgery = f.SurgeryFactory(hospital=world.lhasa_peoples, date=dt.date(2024, 2, 10), team=teams[0])
    surgery = Surgery.objects.get(pk=surgery.pk)
    surgery.lead = "local"
    # UPDATE, history INSERT, data version (aidtracker/cache.py), rollup: 2
    # statements (same group)
    with django_assert_num_queries(5):
        surgery.save()
    surgery.date = dt.date(2024, 3, 10)
    # UPDATE, history INSERT, data version, rollup of the new and of the old
    # month: 2 + 2
    with django_assert_num_queries(7):
        surgery.save()
    assert list(SurgeryMonth.objects.values_list("month", "local")) == [(dt.date(2024, 3, 1), 1)]
