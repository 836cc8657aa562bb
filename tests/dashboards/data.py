"""A dashboard-sized world on top of tests.factories.make_world(): teams,
rotations, twinnings, and `scale` times a fixed set of dated outcome rows
(bulk-created, so 10,000 rows take a second)."""

import datetime as dt

from deployments.models import Person, Rotation, Team, Twinning
from outcomes.models import (
    Consultation,
    IndicatorValue,
    Referral,
    Surgery,
    Technique,
    Trainee,
    Training,
)
from tests import factories as f

LEADS = ["visiting", "joint", "local", "local", "joint"]
APPROACHES = ["open", "laparoscopic", "endoscopic", "open", "interventional"]


def build(scale=1):
    w = f.make_world()
    gs, ortho = f.specialty("general_surgery"), f.specialty("orthopedics")
    w.gs, w.ortho = gs, ortho
    Twinning.objects.create(program=w.bj_lhasa, specialty=gs, donor_hospital=w.bj_friendship,
                            start_date=dt.date(2015, 8, 1))
    Twinning.objects.create(program=w.bj_lhasa, specialty=ortho, donor_hospital=w.bj_friendship,
                            start_date=dt.date(2023, 1, 1))
    Twinning.objects.create(program=w.sh_xigaze, specialty=gs, donor_hospital=w.renji,
                            start_date=dt.date(2016, 7, 1))
    w.bj_team = Team.objects.create(code="BJ-LHASA-9", program=w.bj_lhasa, name="Ninth Group",
                                    batch=9, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    w.sh_team = Team.objects.create(code="SH-XIGAZE-10", program=w.sh_xigaze, name="Tenth Group",
                                    batch=10, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    people = [
        Person.objects.create(code=f"E{i:03d}", name=f"Expert {i}",
                              home_hospital=w.bj_friendship if i < 4 else w.renji)
        for i in range(6)
    ]
    w.people = people
    rot = Rotation.objects.create
    rot(team=w.bj_team, person=people[0], specialty=gs, title="chief", role="leader",
        start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 6, 30))
    rot(team=w.bj_team, person=people[1], specialty=gs, title="attending", role="member",
        start_date=dt.date(2024, 7, 15), end_date=dt.date(2024, 12, 31))
    rot(team=w.bj_team, person=people[2], specialty=ortho, title="associate_chief", role="member",
        start_date=dt.date(2024, 3, 1), end_date=dt.date(2024, 8, 31))
    rot(team=w.sh_team, person=people[4], specialty=gs, title="chief", role="leader",
        start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    rot(team=w.sh_team, person=people[5], specialty=ortho, title="attending", role="member",
        start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 10, 31))

    tibet_hospitals = [w.lhasa_peoples, w.xigaze_peoples, w.pulan]
    surgeries = []
    for i in range(30 * scale):
        hospital = tibet_hospitals[i % 3]
        surgeries.append(Surgery(
            ref=f"S{i:07d}", date=dt.date(2024, 1 + i % 12, 1 + i % 28), hospital=hospital,
            specialty=gs if i % 4 else ortho, procedure="Cholecystectomy", grade=1 + i % 4,
            approach=APPROACHES[i % 5], lead=LEADS[i % 5],
            team=(w.bj_team if hospital == w.lhasa_peoples else w.sh_team if hospital == w.xigaze_peoples else None),
            demonstration=i % 7 == 0, first_in_region=i % 11 == 0, outcome="success",
        ))
    # Outside the period of most tests, and in Xinjiang.
    surgeries.append(Surgery(ref="S-2023", date=dt.date(2023, 12, 31), hospital=w.lhasa_peoples,
                             specialty=gs, procedure="Appendectomy", grade=2, approach="open",
                             lead="local", outcome="success"))
    surgeries.append(Surgery(ref="S-XJ", date=dt.date(2024, 5, 5), hospital=w.xj_children,
                             specialty=gs, procedure="Appendectomy", grade=2, approach="open",
                             lead="local", outcome="success"))
    Surgery.objects.bulk_create(surgeries, batch_size=2000)

    trainees = [Trainee(code=f"L{i:04d}", name=f"Trainee {i}", hospital=tibet_hospitals[i % 3], role="doctor")
                for i in range(max(6, 3 * scale))]
    Trainee.objects.bulk_create(trainees, batch_size=2000)
    kinds = ["onsite_course", "mentorship", "further_study"]
    trainings = []
    for i in range(10 * scale):
        kind = kinds[i % 3]
        trainings.append(Training(
            ref=f"TR{i:06d}", trainee=trainees[i % len(trainees)], specialty=gs if i % 2 else ortho,
            kind=kind, host_hospital=w.bj_friendship if kind == "further_study" else None,
            program=w.bj_lhasa if i % 2 else w.sh_xigaze,
            start_date=dt.date(2024, 1 + i % 12, 1), end_date=None if i % 5 == 0 else dt.date(2024, 12, 31),
            status="ongoing", independent_on=dt.date(2024, 11, 1) if i % 4 == 0 else None,
        ))
    Training.objects.bulk_create(trainings, batch_size=2000)
    Technique.objects.bulk_create([
        Technique(ref=f"TQ{i:05d}", hospital=tibet_hospitals[i % 3], specialty=gs, name=f"Technique {i}",
                  introduced_on=dt.date(2022 + i % 3, 1 + i % 12, 1), program=w.bj_lhasa,
                  first_in_region=i % 3 == 0)
        for i in range(6 * scale)
    ], batch_size=2000)
    Referral.objects.bulk_create([
        Referral(ref=f"RF{i:06d}", date=dt.date(2024, 1 + i % 12, 2),
                 kind=["transfer_in", "referral_out", "international"][i % 3],
                 origin_region=w.ngari if i % 3 == 0 else None,
                 origin_hospital=w.lhasa_peoples if i % 3 == 1 else None,
                 origin_country="NP" if i % 3 == 2 else "",
                 destination_hospital=w.lhasa_peoples if i % 3 != 1 else None,
                 destination_region=w.beijing if i % 3 == 1 else None,
                 age_group="neonate", distance_km=1650)
        for i in range(6 * scale)
    ], batch_size=2000)
    Consultation.objects.bulk_create([
        Consultation(ref=f"C{i:06d}", date=dt.date(2024, 1 + i % 12, 3), requesting_hospital=tibet_hospitals[i % 3],
                     consulting_hospital=w.bj_friendship if i % 2 else w.renji, specialty=gs, mode="remote")
        for i in range(6 * scale)
    ], batch_size=2000)
    return w


def add_indicators(hospital, months, start, values):
    """`months` monthly rows from `start` of each {indicator: value}."""
    from aidtracker.lib.periods import add_months

    rows = []
    for m in range(months):
        for indicator, value in values.items():
            rows.append(IndicatorValue(hospital=hospital, period=add_months(start, m),
                                       indicator=indicator, value=value))
    IndicatorValue.objects.bulk_create(rows)
