"""What came of a program (figures.program.program_summary): the summary's
figures restricted to one program, on a small world whose numbers are
derived by hand below; the same definitions as the region and donor
summaries, narrowed by the program (or its recipient hospital)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from aidtracker.lib.periods import Period
from figures import definitions as rules
from figures.program import program_summary
from tests.factories import (
    ConsultationFactory,
    PersonFactory,
    ProgramFactory,
    RotationFactory,
    SurgeryFactory,
    TeamFactory,
    TechniqueFactory,
    TraineeFactory,
    TrainingFactory,
    TwinningFactory,
    make_world,
    specialty,
)

D = dt.date
YEAR = Period(D(2024, 1, 1), D(2024, 12, 31))
#: Partial months at both ends.
MID = Period(D(2024, 2, 15), D(2024, 7, 31))


def program_world():
    """make_world() and, at Lhasa People's Hospital, Beijing's program
    BJ-LHASA (twins general surgery from 2024-01-01 to 2024-06-30) and a
    second Beijing program BJ-LHASA-2 (twins orthopedics from 2024-01-01),
    with surgeries, teams, rotations, trainings, techniques and
    consultations for and against each figure."""
    w = make_world()
    w.gs, w.ortho = specialty("general_surgery"), specialty("orthopedics")
    w.other = ProgramFactory(code="BJ-LHASA-2", donor_region=w.beijing, recipient_hospital=w.lhasa_peoples,
                             start_date=D(2024, 1, 1))
    TwinningFactory(program=w.bj_lhasa, specialty=w.gs, donor_hospital=w.bj_friendship,
                    start_date=D(2024, 1, 1), end_date=D(2024, 6, 30))
    TwinningFactory(program=w.other, specialty=w.ortho, donor_hospital=w.bj_friendship, start_date=D(2024, 1, 1))

    def surgery(day, kind, lead, grade, hospital=w.lhasa_peoples):
        SurgeryFactory(hospital=hospital, date=day, specialty=kind, lead=lead, grade=grade)

    surgery(D(2024, 2, 10), w.gs, "local", 3)       # twinned by BJ-LHASA
    surgery(D(2024, 3, 5), w.gs, "joint", 4)        # twinned by BJ-LHASA
    surgery(D(2024, 7, 15), w.gs, "local", 2)       # after the twinning: at the hospital only
    surgery(D(2024, 4, 1), w.ortho, "visiting", 1)  # twinned by the other program
    surgery(D(2023, 12, 20), w.gs, "local", 3)      # before 2024
    surgery(D(2024, 3, 1), w.gs, "local", 3, hospital=w.xigaze_peoples)  # elsewhere

    t1 = TeamFactory(code="BJ-LHASA-T1", program=w.bj_lhasa, start_date=D(2024, 1, 1), end_date=D(2024, 6, 30))
    t2 = TeamFactory(code="BJ-LHASA-T0", program=w.bj_lhasa, start_date=D(2023, 1, 1), end_date=D(2023, 12, 31))
    t1b = TeamFactory(code="BJ-LHASA-T2", program=w.bj_lhasa, start_date=D(2024, 3, 1), end_date=D(2024, 3, 31))
    t3 = TeamFactory(code="BJ-LHASA-2-T1", program=w.other, start_date=D(2024, 1, 1), end_date=D(2024, 12, 31))
    a, b, c, d = (PersonFactory(home_hospital=w.bj_friendship) for _ in range(4))
    RotationFactory(team=t1, person=a, specialty=w.gs, start_date=D(2024, 1, 1), end_date=D(2024, 1, 31))   # 31 days
    RotationFactory(team=t1b, person=a, specialty=w.gs, start_date=D(2024, 3, 1), end_date=D(2024, 3, 10))   # 10 days
    RotationFactory(team=t1, person=b, specialty=w.ortho, start_date=D(2024, 2, 1), end_date=D(2024, 2, 29))  # 29 days
    RotationFactory(team=t2, person=c, specialty=w.gs, start_date=D(2023, 6, 1), end_date=D(2023, 6, 30))   # 30 days
    RotationFactory(team=t3, person=d, specialty=w.ortho, start_date=D(2024, 1, 1), end_date=D(2024, 3, 31))

    x, y, z = (TraineeFactory(hospital=w.lhasa_peoples) for _ in range(3))
    TrainingFactory(trainee=x, program=w.bj_lhasa, specialty=w.gs, kind="mentorship",
                    start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), independent_on=D(2024, 5, 1))
    TrainingFactory(trainee=x, program=w.bj_lhasa, specialty=w.gs, kind="further_study", host_hospital=w.bj_friendship,
                    start_date=D(2024, 8, 1), end_date=D(2024, 10, 31))
    TrainingFactory(trainee=y, program=w.bj_lhasa, specialty=w.ortho, kind="onsite_course",
                    start_date=D(2024, 3, 1), end_date=D(2024, 3, 5))
    TrainingFactory(trainee=z, program=w.other, specialty=w.ortho, kind="mentorship")
    TrainingFactory(trainee=z, program=None, specialty=w.gs, kind="mentorship")

    TechniqueFactory(program=w.bj_lhasa, hospital=w.lhasa_peoples, specialty=w.gs,
                     introduced_on=D(2024, 5, 1), first_in_region=True)
    TechniqueFactory(program=w.bj_lhasa, hospital=w.lhasa_peoples, specialty=w.gs, introduced_on=D(2023, 5, 1))
    TechniqueFactory(program=w.other, hospital=w.lhasa_peoples, specialty=w.ortho, introduced_on=D(2024, 5, 1))

    ConsultationFactory(requesting_hospital=w.lhasa_peoples, consulting_hospital=w.bj_friendship,
                        specialty=w.gs, date=D(2024, 5, 1))
    ConsultationFactory(requesting_hospital=w.lhasa_peoples, consulting_hospital=w.bj_friendship,
                        specialty=w.gs, date=D(2023, 5, 1))
    ConsultationFactory(requesting_hospital=w.lhasa_peoples, consulting_hospital=w.renji,
                        specialty=w.gs, date=D(2024, 5, 1))  # not the donor's
    ConsultationFactory(requesting_hospital=w.xigaze_peoples, consulting_hospital=w.bj_friendship,
                        specialty=w.gs, date=D(2024, 5, 1))  # not its recipient
    return w


@pytest.fixture
def world(db):
    return program_world()


def figures(summary):
    """The figures of a summary, without its labels and its safety (tested apart)."""
    return {k: v for k, v in summary.items() if k not in ("program", "period", "safety")}


def test_the_program_in_2024_by_hand(world):
    s = program_summary(world.bj_lhasa, YEAR)
    assert s["program"] == {"code": "BJ-LHASA", "name": world.bj_lhasa.name}
    assert s["period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert figures(s) == {
        "remote": False,
        "twinned_departments": 1,
        "teams": 2,                      # T1, T2 (T0 ended in 2023)
        "experts": 2,                    # a, b
        "expert_days": 31 + 10 + 29,
        # The four 2024 surgeries at Lhasa People's, whoever's.
        "surgeries": {
            "total": 4,
            "by_lead": {"visiting": 1, "joint": 1, "local": 2},
            "by_grade": {"1": 1, "2": 1, "3": 1, "4": 1},
            "minimally_invasive": 4,     # the factory's laparoscopic approach
            "demonstration": 0,
            "first_in_region": 0,
        },
        # General surgery from 2024-01-01 to 2024-06-30: Feb 10 and Mar 5.
        "twinned_department_surgeries": {
            "total": 2, "by_lead": {"visiting": 0, "joint": 1, "local": 1}, "local_share_percent": 50.0,
        },
        # x (mentorship, further study) and y (on-site course); z's are not its.
        "trainees": {"total": 2, "by_kind": {"onsite_course": 1, "mentorship": 1, "further_study": 1},
                     "independent": 1},
        "techniques": {"total": 1, "first_in_region": 1},
        "consultations": 1,              # from Beijing to Lhasa People's in 2024
    }


def test_safety_by_who_led_at_the_recipient_hospital(world):
    """2024 at Lhasa People's: visiting 1 (Apr 1), joint 1 (Mar 5), local 2
    (Feb 10, Jul 15), all successes; add a visiting death (Sep 1) and a
    local complication (Oct 1): visiting 1 death of 2 = 50.0 %, joint 0 of
    1 = 0.0 %, local 1 complication of 3 = 33.3 %. All time adds the local
    surgery of 2023-12-20: a year 2023 with local 1 and no other lead
    (None: no surgery to divide by, not 0 %)."""
    SurgeryFactory(hospital=world.lhasa_peoples, date=D(2024, 9, 1), specialty=world.gs, lead="visiting",
                   outcome="death")
    SurgeryFactory(hospital=world.lhasa_peoples, date=D(2024, 10, 1), specialty=world.gs, lead="local",
                   outcome="complication")
    safety = program_summary(world.bj_lhasa, YEAR, today=D(2025, 6, 1))["safety"]
    by_lead = safety["by_lead"]
    assert (by_lead["visiting"]["surgeries"], by_lead["visiting"]["deaths"]) == (2, 1)
    assert by_lead["visiting"]["death_rate_percent"] == 50.0
    assert by_lead["visiting"]["complication_rate_percent"] == 0.0
    assert by_lead["joint"] == {"surgeries": 1, "complications": 0, "complication_rate_percent": 0.0,
                                "deaths": 0, "death_rate_percent": 0.0}
    assert (by_lead["local"]["surgeries"], by_lead["local"]["complications"]) == (3, 1)
    assert by_lead["local"]["complication_rate_percent"] == 33.3
    assert [y["year"] for y in safety["per_year"]] == [2024]
    every = program_summary(world.bj_lhasa, today=D(2025, 6, 1))["safety"]
    years = {y["year"]: y for y in every["per_year"]}
    assert years[2023]["by_lead"]["local"]["surgeries"] == 1
    assert years[2023]["by_lead"]["visiting"]["complication_rate_percent"] is None
    assert years[2024]["by_lead"] == by_lead
    assert every["by_lead"]["local"]["surgeries"] == 4


def test_all_time_a_partial_period_and_a_specialty(world):
    every = program_summary(world.bj_lhasa)
    assert (every["teams"], every["experts"], every["expert_days"]) == (3, 3, 100)
    assert every["surgeries"]["total"] == 5 and every["surgeries"]["by_lead"]["local"] == 3
    assert every["twinned_department_surgeries"]["total"] == 2
    assert every["techniques"]["total"] == 2 and every["consultations"] == 2

    mid = program_summary(world.bj_lhasa, MID)
    # Mar 5, Jul 15, Apr 1 at the hospital; of them Mar 5 twinned.
    assert mid["surgeries"]["total"] == 3
    assert mid["twinned_department_surgeries"] == {
        "total": 1, "by_lead": {"visiting": 0, "joint": 1, "local": 0}, "local_share_percent": 0.0,
    }
    # a's 10 March days, b's Feb 15-29.
    assert (mid["experts"], mid["expert_days"]) == (2, 10 + 15)
    assert mid["trainees"]["total"] == 2 and mid["trainees"]["independent"] == 1

    gs = program_summary(world.bj_lhasa, YEAR, specialty="general_surgery")
    assert gs["surgeries"]["total"] == 3
    assert gs["twinned_department_surgeries"]["total"] == 2
    assert (gs["experts"], gs["expert_days"], gs["teams"]) == (1, 41, 2)  # teams have no specialty
    assert gs["trainees"]["total"] == 1 and gs["trainees"]["by_kind"]["onsite_course"] == 0
    assert program_summary(world.bj_lhasa, YEAR, specialty="orthopedics")["twinned_department_surgeries"]["total"] == 0


def test_the_other_program_at_the_same_hospital_has_its_own_twinnings(world):
    s = program_summary(world.other, YEAR)
    # Same hospital, same surgeries; its twinned department is orthopedics.
    assert s["surgeries"]["total"] == 4
    assert s["twinned_department_surgeries"]["total"] == 1
    assert s["twinned_department_surgeries"]["by_lead"]["visiting"] == 1
    assert (s["teams"], s["experts"], s["trainees"]["total"], s["techniques"]["total"]) == (1, 1, 1, 1)


@pytest.mark.parametrize("period", [Period(), YEAR, MID])
def test_the_figures_are_the_definitions_row_by_row(world, period):
    """The rollup paths equal the definitions counted row by row, and the
    program's twinned surgeries are the donor's narrowed to its twinnings."""
    program = world.bj_lhasa
    s = program_summary(program, period)
    at_hospital = rules.surgeries(None, period, hospital=program.recipient_hospital_id)
    assert s["surgeries"]["total"] == at_hospital.count()
    assert s["surgeries"]["by_lead"]["local"] == at_hospital.filter(lead="local").count()
    twinned = rules.twinned_department_surgeries("110000", period, program=program.pk)
    assert s["twinned_department_surgeries"]["total"] == twinned.count()
    donor_wide = rules.twinned_department_surgeries("110000", period)
    assert set(twinned) <= set(donor_wide)
    assert s["experts"] == rules.rotations(None, period, program=program.pk).values("person").distinct().count()


def test_a_remote_support_program_counts_its_consultations(world):
    remote = ProgramFactory(code="BJ-LHASA-RS", kind="remote_support", donor_region=world.beijing,
                            recipient_hospital=world.lhasa_peoples, start_date=D(2024, 1, 1))
    s = program_summary(remote, YEAR)
    assert s["remote"] is True
    # Any Beijing hospital's consultations to its recipient hospital.
    assert s["consultations"] == 1
    assert (s["teams"], s["experts"], s["twinned_departments"]) == (0, 0, 0)
    assert s["twinned_department_surgeries"] == {
        "total": 0, "by_lead": {"visiting": 0, "joint": 0, "local": 0}, "local_share_percent": None,
    }


@pytest.mark.parametrize("period", [Period(), MID])
def test_a_fixed_number_of_queries(world, django_assert_num_queries, period):
    # twinnings, teams, experts, surgeries, twinned (2), trainees, techniques, consultations
    with django_assert_num_queries(9):
        program_summary(world.bj_lhasa, period, specialty="general_surgery")
    # No twinned department in the period: the twinned surgeries read one query less.
    with django_assert_num_queries(8):
        program_summary(world.bj_lhasa, Period(D(2025, 1, 1), None))
