"""The expert rollups (deployments.ExpertSpanMonth and ExpertMonth;
deployments/rollups.py) against the count from the rotations, for many
periods and every key (recipient region, donor, specialty, "" = all),
through writes of every kind: a rotation's create, change of dates, of
team, of person, delete; a program's change of donor or recipient
hospital; a team's move to another program and its delete; a hospital's
move to another region, a region's to another province; a person's
change of home hospital (saved, bulk updated, upserted, imported);
queryset bulk writes, the importer, loaddata and the rebuild command.
After each, the rows kept by adjustments also equal the rows a rebuild
makes, and the experts and expert-days per home hospital (the donor
dashboard's hospitals table) equal their count from the rotations."""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Q

from aidtracker.lib.periods import Period, month_end, month_key
from deployments import rollups
from deployments.models import ExpertMonth, ExpertSpanMonth, Person, Rotation, Team
from figures import definitions as rules
from figures.donor import donor_hospitals, donors_overview, experts_per_month_by_recipient
from figures.overview import overview
from figures.series import experts_per_month
from figures.summary import counted_experts, expert_rollup, experts_and_days, experts_by_home
from hospitals.models import Hospital, Region, in_region_q
from interchange.importer import import_bundle
from tests import factories as f

TIBET, XINJIANG, BEIJING, SHANGHAI = "540000", "650000", "110000", "310000"
SPECIALTIES = ("general_surgery", "orthopedics", "pediatrics")
FIRST = dt.date(2022, 11, 1)

WHOLE_MONTHS = [
    Period(),  # all time
    Period(dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    Period(dt.date(2023, 3, 1), dt.date(2023, 3, 31)),
    Period(dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
    Period(dt.date(2024, 6, 1), dt.date(2024, 6, 30)),
    Period(dt.date(2022, 7, 1), dt.date(2025, 6, 30)),
    Period(None, dt.date(2023, 6, 30)),
    Period(dt.date(2024, 2, 1), None),
]
DAY_LEVEL = [Period(dt.date(2023, 5, 17), dt.date(2024, 2, 3)), Period(dt.date(2023, 8, 2), dt.date(2023, 8, 2))]


def from_rotations(period, region, donor, specialty, by, codes):
    """experts_and_days' figures counted from the rotations (the definition's query)."""
    rotations = rules.rotations(region, period, specialty=specialty, donor=donor)
    apart = {
        code: Q(team__program__donor_region=code) if by == "donor"
        else in_region_q(code, "team__program__recipient_hospital__region")
        for code in codes
    }
    return counted_experts(rotations, period, apart)


def check():
    """Every figure read from the rollups equals its count from the rotations."""
    for period in WHOLE_MONTHS:
        for specialty in (None, *SPECIALTIES[:2]):
            for region in (None, TIBET, XINJIANG):
                expected = from_rotations(period, region, None, specialty, "donor", [BEIJING, SHANGHAI])
                assert expert_rollup(period, region=region, specialty=specialty, by="donor",
                                     codes=[BEIJING, SHANGHAI]) == expected, (period, region, specialty)
                for donor in (BEIJING, SHANGHAI):
                    expected = from_rotations(period, region, donor, specialty, "donor", [donor])
                    assert expert_rollup(period, region=region, donor=donor, specialty=specialty, by="donor",
                                         codes=[donor]) == expected, (period, region, donor, specialty)
            for donor in (None, BEIJING, SHANGHAI):
                expected = from_rotations(period, None, donor, specialty, "region", [TIBET, XINJIANG])
                assert expert_rollup(period, donor=donor, specialty=specialty, by="region",
                                     codes=[TIBET, XINJIANG]) == expected, (period, donor, specialty)
    for period in WHOLE_MONTHS + DAY_LEVEL:
        # The readers that pick the rollup or the rotations by the period.
        overview_rows = {row["code"]: row for row in overview(period)}
        for region in (TIBET, XINJIANG):
            expected = from_rotations(period, region, None, None, "donor", [])["all"]
            got = experts_and_days(period, region=region)["all"]
            assert got == expected, (period, region)
            assert (overview_rows[region]["experts"], overview_rows[region]["expert_days"]) == (
                expected["experts"], expected["days"]), (period, region)
        for row in donors_overview(period):
            expected = from_rotations(period, None, row["code"], None, "donor", [])["all"]
            assert (row["experts"], row["expert_days"]) == (expected["experts"], expected["days"]), (period, row)
    check_months()
    check_homes()
    rebuilt_equal_kept()


def raw_per_month(period, region=None, donor=None, specialty=None):
    """{'YYYY-MM': distinct people} of the rotations on site each month, in Python."""
    rotations = list(rules.rotations(region, period, specialty=specialty, donor=donor))
    counts = {}
    for month in period.months():
        first, last = max(month, period.start), min(month_end(month), period.end)
        counts[month_key(month)] = len({r.person_id for r in rotations if r.start_date <= last and r.end_date >= first})
    return counts


def check_months():
    today = dt.date(2025, 1, 15)
    for period in (Period(dt.date(2023, 1, 1), dt.date(2024, 12, 31)), Period(dt.date(2023, 6, 1), dt.date(2023, 8, 31)),
                   Period(dt.date(2023, 5, 17), dt.date(2024, 2, 3))):
        for region in (TIBET, XINJIANG):
            for donor, specialty in ((None, None), (BEIJING, None), (None, SPECIALTIES[0]), (SHANGHAI, SPECIALTIES[1])):
                charted = experts_per_month(region, period, donor=donor, specialty=specialty, grouping="month",
                                            today=today)
                assert {m["month"]: m["experts"] for m in charted} == raw_per_month(period, region, donor, specialty)
        for donor in (BEIJING, SHANGHAI):
            for recipient in (None, TIBET):
                chart = experts_per_month_by_recipient(donor, period, recipient=recipient, today=today)
                assert {m["month"]: m["experts"] for m in chart["months"]} == raw_per_month(period, recipient, donor)
                for code in (TIBET, XINJIANG):
                    if recipient not in (None, code):
                        continue
                    expected = raw_per_month(period, code, donor)
                    got = {m["month"]: m["by_recipient"].get(code, 0) for m in chart["months"]}
                    assert got == expected, (period, donor, recipient, code)


def per_home_from_rotations(period, donor, specialty=None, recipient=None):
    """{home hospital: {"experts", "days"}} of the donor's rotations that
    overlap the period, counted in Python: distinct people per home
    hospital, and the days of their rotations within the period."""
    homes = {}
    for r in rules.rotations(recipient, period, specialty=specialty, donor=donor).select_related("person"):
        start = max(r.start_date, period.start) if period.start else r.start_date
        end = min(r.end_date, period.end) if period.end else r.end_date
        people, days = homes.get(r.person.home_hospital_id, (set(), 0))
        homes[r.person.home_hospital_id] = (people | {r.person_id}, days + (end - start).days + 1)
    return {home: {"experts": len(people), "days": days} for home, (people, days) in homes.items()}


def check_homes():
    """The experts and expert-days per home hospital, from the rollup and on
    the donor dashboard's hospitals table (rollup or rotations by period
    and filter), equal their count from the rotations."""
    for donor in (BEIJING, SHANGHAI):
        for period in WHOLE_MONTHS:  # every home hospital, in the donor region or not
            for specialty in (None, *SPECIALTIES[:2]):
                expected = per_home_from_rotations(period, donor, specialty)
                assert experts_by_home(period, donor, specialty=specialty) == expected, (donor, period, specialty)
        in_donor = set(Hospital.objects.in_region(donor).values_list("code", flat=True))
        for period in (*WHOLE_MONTHS[:3], WHOLE_MONTHS[-1], DAY_LEVEL[0]):
            for specialty in (None, SPECIALTIES[0]):
                for recipient in (None, TIBET):
                    expected = per_home_from_rotations(period, donor, specialty, recipient)
                    table = donor_hospitals(donor, period, specialty=specialty, recipient=recipient)
                    got = {row["code"]: {"experts": row["experts"], "days": row["expert_days"]}
                           for row in table if row["experts"]}
                    wanted = {code: figures for code, figures in expected.items() if code in in_donor}
                    assert got == wanted, (donor, period, specialty, recipient)


def rebuilt_equal_kept():
    spans = ("region", "donor", "specialty", "home", "first_month", "last_month", "n")
    months = ("region", "donor", "specialty", "home", "month", "experts", "days")
    kept = (sorted(ExpertSpanMonth.objects.values_list(*spans)), sorted(ExpertMonth.objects.values_list(*months)))
    rollups.rebuild_experts()
    assert kept == (sorted(ExpertSpanMonth.objects.values_list(*spans)), sorted(ExpertMonth.objects.values_list(*months)))


@pytest.fixture
def setting(world):
    bj_xj = f.ProgramFactory(code="BJ-XJ", donor_region=world.beijing, recipient_hospital=world.xj_children,
                             start_date=dt.date(2020, 1, 1))
    sh_xj = f.ProgramFactory(code="SH-XJ", donor_region=world.shanghai, recipient_hospital=world.xj_children,
                             start_date=dt.date(2021, 1, 1))
    teams = [
        f.TeamFactory(code="T-LHASA-1", program=world.bj_lhasa, batch=1),
        f.TeamFactory(code="T-LHASA-2", program=world.bj_lhasa, batch=2),
        f.TeamFactory(code="T-XIGAZE-1", program=world.sh_xigaze, batch=1),
        f.TeamFactory(code="T-BJXJ-1", program=bj_xj, batch=1),
        f.TeamFactory(code="T-SHXJ-1", program=sh_xj, batch=1),
    ]
    # Home hospitals in both donors, one in a Beijing district (below the
    # province), one in a recipient region.
    world.dongcheng = Region.objects.create(code="110100", name="Dongcheng", level="prefecture", parent=world.beijing)
    world.pumch = f.HospitalFactory(code="BJ-PUMCH", region=world.dongcheng)
    world.zhongshan = f.HospitalFactory(code="SH-ZHONGSHAN", region=world.shanghai)
    homes = [world.bj_friendship, world.pumch, world.renji, world.zhongshan, world.lhasa_peoples]
    people = [f.PersonFactory(code=f"E{i:03d}", home_hospital=homes[i % len(homes)]) for i in range(14)]
    return world, teams, people, bj_xj, sh_xj


def rotations_for(rng, people, teams, per_person=3):
    """Non-overlapping rotations per person, each in a different team: some
    back to back (the next begins the day after), some apart by days or
    months, some running past the periods' ends (ongoing then)."""
    rows = []
    for person in people:
        day = FIRST + dt.timedelta(days=rng.randrange(90))
        for team in rng.sample(teams, per_person):
            end = day + dt.timedelta(days=rng.choice((0, 12, 40, 150, 400)))
            rows.append(f.RotationFactory.build(team=team, person=person, start_date=day, end_date=end,
                                                specialty_id=rng.choice(SPECIALTIES)))
            day = end + dt.timedelta(days=rng.choice((1, 1, 9, 35, 120)))
    return rows


def free(person, start, end, exclude=None):
    return not Rotation.objects.filter(person=person, start_date__lte=end, end_date__gte=start).exclude(pk=exclude).exists()


def test_expert_figures_equal_the_rotations_through_writes(setting):
    world, teams, people, bj_xj, sh_xj = setting
    rng = random.Random(18)
    Rotation.objects.bulk_create(rotations_for(rng, people[:8], teams))  # a bulk write: rebuilt
    for rotation in rotations_for(rng, people[8:], teams, per_person=2):  # model saves: adjusted
        rotation.save()
    assert ExpertSpanMonth.objects.filter(n__lt=0).exists()  # gaps between a person's spans
    check()

    # a rotation's dates, team (other province and donor), person, specialty; a delete
    rotation = Rotation.objects.filter(team__code="T-LHASA-1").order_by("pk").first()
    rotation.end_date = rotation.start_date + dt.timedelta(days=3)
    rotation.save()
    moving = Rotation.objects.filter(team__code="T-XIGAZE-1").order_by("pk").first()
    if not Rotation.objects.filter(person=moving.person, team__code="T-BJXJ-1").exists():
        moving.team = teams[3]
        moving.specialty_id = SPECIALTIES[2]
        moving.save()
    handed = Rotation.objects.filter(team__code="T-SHXJ-1").order_by("pk").first()
    for person in people:
        if free(person, handed.start_date, handed.end_date, handed.pk) and not Rotation.objects.filter(
                team=handed.team, person=person).exists():
            handed.person = person
            handed.save()
            break
    Rotation.objects.filter(team__code="T-LHASA-2").order_by("pk").first().delete()
    check()

    # moved to other months, earlier and later, over a year's end; back to back
    for i, rotation in enumerate(Rotation.objects.order_by("pk")[:5]):
        shift = dt.timedelta(days=(-200, 170, 40, -75, 31)[i])
        start, end = rotation.start_date + shift, rotation.end_date + shift + dt.timedelta(days=95 * (i == 2))
        if free(rotation.person, start, end, rotation.pk):
            rotation.start_date, rotation.end_date = start, end
            rotation.save()
    last = Rotation.objects.order_by("person", "-end_date").first()
    if free(last.person, last.end_date + dt.timedelta(days=1), last.end_date + dt.timedelta(days=20)):
        Rotation.objects.create(team=teams[4] if last.team != teams[4] else teams[0], person=last.person,
                                specialty_id=last.specialty_id, title="attending", role="member",
                                start_date=last.end_date + dt.timedelta(days=1),
                                end_date=last.end_date + dt.timedelta(days=20))
    deferred = Rotation.objects.defer("start_date", "person").order_by("-pk").first()
    deferred.end_date = deferred.end_date + dt.timedelta(days=60)
    if free(deferred.person_id, deferred.start_date, deferred.end_date, deferred.pk):
        deferred.save()
    check()

    # a program's donor and recipient hospital; a team's program
    program = world.sh_xigaze
    program.donor_region = world.beijing
    program.save()
    bj_xj.recipient_hospital = world.pulan
    bj_xj.save()
    team = teams[2]
    team.program = sh_xj
    team.batch = 2
    team.save()
    check()

    # a recipient hospital moves to another region; a prefecture under another province
    hospital = world.xigaze_peoples
    hospital.region = world.urumqi
    hospital.save()
    prefecture = world.ngari  # Burang county's Pulan hospital is BJ-XJ's recipient now
    prefecture.parent = world.xinjiang
    prefecture.save()
    check()

    # a team's delete (its rotations cascade); queryset bulk writes
    Team.objects.get(code="T-LHASA-2").delete()
    Rotation.objects.filter(start_date__lt=dt.date(2023, 3, 1)).update(end_date=F("start_date"))  # one day each
    Rotation.objects.filter(team__code="T-BJXJ-1", start_date__gte=dt.date(2024, 9, 1)).delete()
    Team.objects.filter(code="T-SHXJ-1").update(program=bj_xj, batch=7)
    check()


def test_queryset_updates_of_hospitals_and_regions_rebuild_the_rollups(setting, django_assert_num_queries):
    """A queryset's update (or upsert) that puts a hospital in another region
    or a region under another parent announces itself: the rollups are
    rebuilt, and equal a fresh rebuild. Other fields cost nothing more."""
    world, teams, people, bj_xj, sh_xj = setting
    Rotation.objects.bulk_create(rotations_for(random.Random(5), people, teams))
    xinjiang_before = experts_and_days(Period(), region=XINJIANG)["all"]["experts"]
    with django_assert_num_queries(1):
        Hospital.objects.filter(code=world.xigaze_peoples.code).update(name="Xigaze People's Hospital")
    Hospital.objects.filter(code=world.xigaze_peoples.code).update(region=world.urumqi)
    assert experts_and_days(Period(), region=XINJIANG)["all"]["experts"] > xinjiang_before
    rebuilt_equal_kept()
    Region.objects.filter(code=world.ngari.code).update(parent=world.xinjiang)
    rebuilt_equal_kept()
    moved_back = Hospital(**{field.attname: getattr(world.xigaze_peoples, field.attname)
                             for field in Hospital._meta.concrete_fields})
    Hospital.objects.bulk_create([moved_back], update_conflicts=True, unique_fields=["code"],
                                 update_fields=["region"])
    rebuilt_equal_kept()
    check()


def test_the_importer_loaddata_and_the_rebuild_command(setting, tmp_path):
    world, teams, people, bj_xj, sh_xj = setting
    rng = random.Random(9)
    Rotation.objects.bulk_create(rotations_for(rng, people[:4], teams))
    header = "team_code,person_id,person_name,home_hospital_code,specialty,title,role,start_date,end_date\n"
    rows = []
    for i, person in enumerate(people[4:8]):
        start = dt.date(2024, 1 + i, 5)
        rows.append(f"T-BJXJ-1,{person.code},{person.name},BJ-FRIENDSHIP,general_surgery,attending,member,"
                    f"{start},{start + dt.timedelta(days=70)}\n")
    path = Path(tmp_path, "rotations.csv")
    path.write_text(header + "".join(rows), encoding="utf-8")
    report = import_bundle(path)
    assert report.ok, [str(e) for e in report.errors]
    check()

    dump = tmp_path / "dump.json"
    call_command("dumpdata", "deployments.rotation", "deployments.expertmonth", "deployments.expertspanmonth",
                 output=str(dump), verbosity=0)
    Rotation.objects.all().delete()
    assert not ExpertMonth.objects.exists() and not ExpertSpanMonth.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)
    check()
    ExpertMonth.objects.all().delete()  # as after raw SQL that bypassed the models
    ExpertSpanMonth.objects.all().delete()
    call_command("rebuild_rollups", verbosity=0)
    check()


def test_a_rotations_save_adjusts_the_rollups_in_a_fixed_number_of_queries(setting, django_assert_num_queries):
    world, teams, people, bj_xj, sh_xj = setting
    Rotation.objects.bulk_create(rotations_for(random.Random(3), people, teams))
    # one that spans several months, cut to its first day: its span's last
    # month and the days of its months change
    rotation = next(r for r in Rotation.objects.order_by("pk") if r.end_date.month != r.start_date.month)
    rotation.end_date = rotation.start_date
    lock = connection.vendor == "postgresql"
    # the UPDATE, its history row and the data version; the person's
    # contributions before and after (2 + 2), added and zeros dropped per
    # rollup (2 + 2); the lock on PostgreSQL. The covered days
    # (deployments/coverage.py): the old team's program, its department's
    # spans deleted and inserted again, their lock on PostgreSQL.
    with django_assert_num_queries(14 + 2 * lock):
        rotation.save()
    rotation.title = "chief"  # nothing the rollups count: no adjustment
    with django_assert_num_queries(3):
        rotation.save()
    rebuilt_equal_kept()


def test_a_persons_home_hospital_moves_their_experts_to_another_row(setting, tmp_path, monkeypatch):
    world, teams, people, bj_xj, sh_xj = setting
    rng = random.Random(27)
    Rotation.objects.bulk_create(rotations_for(rng, people, teams))
    check_homes()

    # a save of a person loaded from the database; of one built from scratch
    person = Person.objects.get(code="E000")
    person.home_hospital = world.zhongshan
    person.save()
    Person(code="E001", name=people[1].name, home_hospital=world.bj_friendship).save()
    person = Person.objects.get(code="E002")
    person.home_hospital = world.lhasa_peoples
    person.save(update_fields=["name"])  # the home hospital not written: nothing moves
    check_homes()
    rebuilt_equal_kept()

    # a queryset's update (few people: adjusted; many: rebuilt); an upsert
    Person.objects.filter(code__in=["E003", "E004"]).update(home_hospital=world.pumch)
    Person.objects.filter(code="E005").update(name="Renamed")  # no key: nothing to do
    check_homes()
    rebuilt_equal_kept()
    monkeypatch.setattr(rollups, "DELTA_MAX_PEOPLE", 1)
    Person.objects.filter(code__in=["E006", "E007", "E008"]).update(home_hospital=world.renji)
    monkeypatch.undo()
    Person.objects.bulk_create(
        [Person(code="E009", name=people[9].name, home_hospital=world.bj_friendship),
         Person(code="E100", name="A newcomer", home_hospital=world.pumch)],
        update_conflicts=True, update_fields=["home_hospital"], unique_fields=["code"],
    )
    check_homes()
    rebuilt_equal_kept()

    # the importer: a rotation unchanged, its person's home hospital changed
    rotation = Rotation.objects.select_related("person").get(
        pk=Rotation.objects.filter(person__code="E010").order_by("pk").values("pk")[:1]
    )
    assert rotation.person.home_hospital_id != "SH-RENJI"
    header = "team_code,person_id,person_name,home_hospital_code,specialty,title,role,start_date,end_date\n"
    row = (f"{rotation.team_id},{rotation.person_id},{rotation.person.name},SH-RENJI,{rotation.specialty_id},"
           f"{rotation.title},{rotation.role},{rotation.start_date},{rotation.end_date}\n")
    path = Path(tmp_path, "rotations.csv")
    path.write_text(header + row, encoding="utf-8")
    report = import_bundle(path)
    assert report.ok, [str(e) for e in report.errors]
    assert report.counts["rotations.csv (people)"]["updated"] == 1
    assert report.counts["rotations.csv"]["updated"] == 0
    assert Person.objects.get(code="E010").home_hospital_id == "SH-RENJI"
    check_homes()
    rebuilt_equal_kept()

    # a home hospital moves to the other donor's region: read in place, nothing rebuilt
    world.pumch.region = world.shanghai
    world.pumch.save()
    check_homes()
    assert any(row["code"] == "BJ-PUMCH" and row["experts"] for row in donor_hospitals(SHANGHAI, Period()))


def test_a_persons_save_adjusts_the_rollups_only_when_the_home_hospital_changes(setting, django_assert_num_queries):
    world, teams, people, bj_xj, sh_xj = setting
    Rotation.objects.bulk_create(rotations_for(random.Random(5), people, teams))
    person = Person.objects.get(code="E000")
    person.name = "Renamed"
    # the UPDATE, its history row and the data version: nothing more
    with django_assert_num_queries(3):
        person.save()
    person.home_hospital = world.zhongshan
    lock = connection.vendor == "postgresql"
    # and the person's contributions before and after (2 + 2), added and
    # zeros dropped per rollup (2 + 2); the lock on PostgreSQL
    with django_assert_num_queries(3 + 8 + lock):
        person.save()
    with django_assert_num_queries(3):
        person.save()  # saved as it is now: nothing to adjust
    rebuilt_equal_kept()
    check_homes()
