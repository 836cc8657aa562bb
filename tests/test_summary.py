"""The region summary against the definitions of interchange spec v1, section 5:
one test (or a few) per definition, with the edge cases the issue names."""

import datetime as dt
import json

import pytest

from figures.forms import parse_period
from figures.overview import overview, recipient_regions
from figures.summary import region_summary
from aidtracker.lib.periods import Period
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
YEAR_2024 = Period(D(2024, 1, 1), D(2024, 12, 31))

SPEC_KEYS = [
    "region", "period", "programs", "twinned_departments", "teams", "experts",
    "expert_days", "surgeries", "trainees", "techniques", "referrals", "consultations",
    "by_donor",
]


def summary(world, start=None, end=None, **filters):
    return region_summary(world.tibet, Period(start, end), **filters)


def program(world, hospital=None, donor=None, start=D(2020, 1, 1), end=None, code=None):
    return f.ProgramFactory(
        donor_region=donor or world.beijing,
        recipient_hospital=hospital or world.lhasa_peoples,
        start_date=start,
        end_date=end,
        **({"code": code} if code else {}),
    )


def rotation(team, start, end, person=None, specialty="general_surgery"):
    return f.RotationFactory(
        team=team,
        person=person or f.PersonFactory(home_hospital=team.program.recipient_hospital),
        start_date=start,
        end_date=end,
        specialty=f.specialty(specialty),
    )


# ---------------------------------------------------------------- the shape


def test_shape_is_exactly_the_spec(world):
    result = summary(world, D(2024, 1, 1), D(2024, 12, 31))
    assert list(result) == SPEC_KEYS
    assert result["region"] == {"code": "540000", "name": "Tibet Autonomous Region"}
    assert result["period"] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert list(result["surgeries"]) == [
        "total", "by_lead", "by_grade", "minimally_invasive", "demonstration", "first_in_region",
    ]
    assert list(result["surgeries"]["by_lead"]) == ["visiting", "joint", "local"]
    assert list(result["surgeries"]["by_grade"]) == ["1", "2", "3", "4"]
    assert list(result["trainees"]) == ["total", "by_kind", "independent"]
    assert list(result["trainees"]["by_kind"]) == ["onsite_course", "mentorship", "further_study"]
    assert list(result["techniques"]) == ["total", "first_in_region"]
    assert list(result["referrals"]) == ["transfer_in", "referral_out", "international"]
    assert [list(d) for d in result["by_donor"]] == [
        ["code", "name", "programs", "experts", "expert_days", "surgeries"]
    ] * 2
    # Every count is a whole number (int, never None or Decimal), also when empty.
    def ints(value):
        if isinstance(value, dict):
            return all(ints(v) for k, v in value.items() if k not in ("region", "period", "code", "name"))
        if isinstance(value, list):
            return all(ints(v) for v in value)
        return type(value) is int

    assert ints({k: v for k, v in result.items() if k not in ("region", "period")})
    json.dumps(result)


def test_open_bounds_are_null(world):
    assert summary(world)["period"] == {"from": None, "to": None}
    assert summary(world, D(2024, 1, 1))["period"] == {"from": "2024-01-01", "to": None}
    assert summary(world, None, D(2024, 1, 1))["period"] == {"from": None, "to": "2024-01-01"}


def test_region_by_code_and_non_province_refused(world):
    assert region_summary("540000")["region"]["code"] == "540000"
    with pytest.raises(ValueError, match="not a province-level region"):
        region_summary("540100")


# ---------------------------------------------------------------- programs


def test_programs_bounds_inclusive_and_ongoing(world):
    # The world's two Tibet programs are ongoing since 2015/2016.
    program(world, start=D(2023, 1, 1), end=D(2023, 12, 31))  # ends the day before
    program(world, start=D(2023, 1, 1), end=D(2024, 1, 1))  # ends on the first day
    program(world, start=D(2024, 12, 31), end=None)  # starts on the last day, ongoing
    program(world, start=D(2025, 1, 1))  # starts the day after
    assert summary(world, D(2024, 1, 1), D(2024, 12, 31))["programs"] == 4
    assert summary(world, D(2024, 1, 1), D(2024, 1, 1))["programs"] == 3  # a one-day period
    assert summary(world)["programs"] == 6
    assert summary(world, D(2025, 6, 1))["programs"] == 4  # ongoing ones only
    assert summary(world, None, D(2015, 12, 31))["programs"] == 1  # BJ-LHASA since 2015-08


def test_county_hospital_counts_in_its_province_and_other_provinces_do_not(world):
    program(world, hospital=world.pulan)  # Burang County, Ngari, Tibet
    program(world, hospital=world.xj_children)  # Xinjiang
    assert summary(world)["programs"] == 3
    assert region_summary(world.xinjiang)["programs"] == 1


# ---------------------------------------------------------------- twinnings and teams


def test_twinned_departments_by_their_own_dates(world):
    def twinning(start, end=None, prog=world.bj_lhasa, specialty="general_surgery"):
        return f.TwinningFactory(
            program=prog, donor_hospital=world.bj_friendship, start_date=start, end_date=end,
            specialty=f.specialty(specialty),
        )

    twinning(D(2020, 1, 1), D(2023, 12, 31))
    twinning(D(2020, 1, 1), D(2024, 1, 1), specialty="orthopedics")
    twinning(D(2024, 12, 31), specialty="urology")  # ongoing
    twinning(D(2025, 1, 1), specialty="cardiology")
    twinning(D(2020, 1, 1), prog=program(world, hospital=world.xj_children))  # Xinjiang
    assert summary(world, D(2024, 1, 1), D(2024, 12, 31))["twinned_departments"] == 2
    assert summary(world, D(2024, 12, 31), D(2024, 12, 31))["twinned_departments"] == 1
    assert summary(world)["twinned_departments"] == 4


def test_teams_by_their_own_dates(world):
    def team(start, end, prog=world.bj_lhasa):
        return f.TeamFactory(program=prog, start_date=start, end_date=end)

    team(D(2023, 1, 1), D(2023, 12, 31))
    team(D(2023, 7, 1), D(2024, 1, 1))
    team(D(2024, 12, 31), D(2025, 6, 30))
    team(D(2025, 1, 1), D(2025, 6, 30))
    team(D(2024, 1, 1), D(2024, 12, 31), prog=program(world, hospital=world.pulan))
    team(D(2024, 1, 1), D(2024, 12, 31), prog=program(world, hospital=world.xj_children))
    assert summary(world, D(2024, 1, 1), D(2024, 12, 31))["teams"] == 3
    assert summary(world)["teams"] == 5


# ---------------------------------------------------------------- experts and expert days


def test_returning_expert_counted_once_and_days_added(world):
    person = f.PersonFactory(home_hospital=world.bj_friendship)
    first = f.TeamFactory(program=world.bj_lhasa, start_date=D(2023, 1, 1), end_date=D(2023, 12, 31))
    second = f.TeamFactory(program=world.bj_lhasa, start_date=D(2024, 1, 1), end_date=D(2024, 12, 31))
    rotation(first, D(2023, 12, 1), D(2023, 12, 31), person)  # 31 days, 10 in the period
    rotation(second, D(2024, 1, 10), D(2024, 1, 19), person)  # 10 days
    result = summary(world, D(2023, 12, 22), D(2024, 12, 31))
    assert result["experts"] == 1
    assert result["expert_days"] == 10 + 10
    assert result["by_donor"][0]["experts"] == 1
    assert result["by_donor"][0]["expert_days"] == 20


def test_expert_in_two_programs_counted_once_in_total_and_once_per_donor(world):
    person = f.PersonFactory(home_hospital=world.bj_friendship)
    bj = f.TeamFactory(program=world.bj_lhasa)
    sh = f.TeamFactory(program=world.sh_xigaze)
    rotation(bj, D(2024, 1, 1), D(2024, 1, 31), person)
    rotation(sh, D(2024, 3, 1), D(2024, 3, 31), person)
    rotation(sh, D(2024, 3, 1), D(2024, 3, 2))  # someone else, 2 days
    result = summary(world, D(2024, 1, 1), D(2024, 12, 31))
    assert result["experts"] == 2
    assert result["expert_days"] == 31 + 31 + 2
    assert [(d["code"], d["experts"], d["expert_days"]) for d in result["by_donor"]] == [
        ("110000", 1, 31),
        ("310000", 2, 33),
    ]


def test_expert_days_partial_overlaps_and_open_bounds(world):
    team = f.TeamFactory(program=world.bj_lhasa, start_date=D(2023, 1, 1), end_date=D(2025, 12, 31))
    rotation(team, D(2023, 12, 20), D(2024, 1, 10))  # 10 days inside, 22 in all
    rotation(team, D(2024, 12, 25), D(2025, 1, 5))  # 7 inside, 12 in all
    rotation(team, D(2024, 6, 1), D(2024, 6, 30))  # 30, all inside
    rotation(team, D(2023, 1, 1), D(2023, 12, 31))  # outside: 365
    rotation(team, D(2023, 12, 1), D(2025, 1, 31))  # covers the period: 366 (leap year)
    assert summary(world, D(2024, 1, 1), D(2024, 12, 31))["expert_days"] == 10 + 7 + 30 + 366
    assert summary(world, D(2024, 1, 1), D(2024, 12, 31))["experts"] == 4
    assert summary(world)["expert_days"] == 22 + 12 + 30 + 365 + 428
    assert summary(world, D(2024, 6, 30), D(2024, 6, 30))["expert_days"] == 2  # one-day period
    assert summary(world, D(2024, 6, 30), D(2024, 6, 30))["experts"] == 2
    assert summary(world, None, D(2023, 12, 31))["expert_days"] == 12 + 365 + 31
    assert summary(world, D(2025, 1, 1))["expert_days"] == 5 + 31


def test_rotation_ending_in_future_counts_while_on_site(world):
    # Rotations always have an end (the person's planned departure); one that
    # is still running counts for every day of the period up to its end.
    team = f.TeamFactory(program=world.bj_lhasa, start_date=D(2024, 1, 1), end_date=D(2026, 12, 31))
    rotation(team, D(2024, 1, 1), D(2026, 12, 31))
    assert summary(world, D(2025, 1, 1))["expert_days"] == 365 + 365


def test_rotations_of_other_regions_do_not_count(world):
    team = f.TeamFactory(program=program(world, hospital=world.xj_children))
    rotation(team, D(2024, 1, 1), D(2024, 1, 31))
    assert summary(world)["experts"] == 0
    assert region_summary(world.xinjiang)["experts"] == 1


# ---------------------------------------------------------------- surgeries


def test_surgeries_within_period_bounds_inclusive(world):
    for day in (D(2023, 12, 31), D(2024, 1, 1), D(2024, 12, 31), D(2025, 1, 1)):
        f.SurgeryFactory(hospital=world.lhasa_peoples, date=day)
    f.SurgeryFactory(hospital=world.pulan, date=D(2024, 6, 1))  # county hospital
    f.SurgeryFactory(hospital=world.xj_children, date=D(2024, 6, 1))  # Xinjiang
    f.SurgeryFactory(hospital=world.bj_friendship, date=D(2024, 6, 1))  # donor's own
    assert summary(world, D(2024, 1, 1), D(2024, 12, 31))["surgeries"]["total"] == 3
    assert summary(world, D(2024, 1, 1), D(2024, 1, 1))["surgeries"]["total"] == 1
    assert summary(world)["surgeries"]["total"] == 5


def test_surgery_breakdowns(world):
    def surgery(**kw):
        return f.SurgeryFactory(hospital=world.xigaze_peoples, date=D(2024, 5, 5), **kw)

    surgery(lead="visiting", grade=1, approach="open", demonstration=True)
    surgery(lead="joint", grade=4, approach="robotic", first_in_region=True)
    surgery(lead="local", grade=4, approach="endoscopic", demonstration=True, first_in_region=True)
    surgery(lead="local", grade=2, approach="other")
    surgery(lead="local", grade=3, approach="interventional")
    surgery(lead="joint", grade=3, approach="thoracoscopic")
    surgery(lead="local", grade=2, approach="laparoscopic")
    assert summary(world)["surgeries"] == {
        "total": 7,
        "by_lead": {"visiting": 1, "joint": 2, "local": 4},
        "by_grade": {"1": 1, "2": 2, "3": 2, "4": 2},
        "minimally_invasive": 5,
        "demonstration": 2,
        "first_in_region": 2,
    }


def test_by_donor_surgeries_through_team_codes(world):
    bj_team = f.TeamFactory(program=world.bj_lhasa)
    sh_team = f.TeamFactory(program=world.sh_xigaze)
    # The hospital does not decide the donor; the team does.
    f.SurgeryFactory(hospital=world.xigaze_peoples, team=bj_team)
    f.SurgeryFactory(hospital=world.lhasa_peoples, team=bj_team)
    f.SurgeryFactory(hospital=world.xigaze_peoples, team=sh_team)
    f.SurgeryFactory(hospital=world.xigaze_peoples, team=None)  # counted in total only
    f.SurgeryFactory(hospital=world.xj_children, team=bj_team)  # not in R: not at all
    f.SurgeryFactory(hospital=world.lhasa_peoples, team=bj_team, date=D(2023, 5, 1))  # before
    result = summary(world, D(2024, 1, 1), D(2024, 12, 31))
    assert result["surgeries"]["total"] == 4
    assert [(d["code"], d["surgeries"]) for d in result["by_donor"]] == [("110000", 2), ("310000", 1)]


def test_by_donor_sorted_by_code_only_donors_with_counted_programs(world):
    guangdong = f.RegionFactory(code="440000", name="Guangdong")
    jiangsu = f.RegionFactory(code="320000", name="Jiangsu")
    program(world, donor=guangdong, hospital=world.pulan)
    program(world, donor=jiangsu, start=D(2020, 1, 1), end=D(2021, 12, 31))  # before 2024
    result = summary(world, D(2024, 1, 1), D(2024, 12, 31))
    assert [(d["code"], d["name"], d["programs"]) for d in result["by_donor"]] == [
        ("110000", "Beijing", 1),
        ("310000", "Shanghai", 1),
        ("440000", "Guangdong", 1),
    ]
    assert result["programs"] == 3
    assert [d["code"] for d in summary(world)["by_donor"]] == ["110000", "310000", "320000", "440000"]


# ---------------------------------------------------------------- trainees


def training(trainee, start, end=None, kind="mentorship", **kw):
    if kind == "further_study":
        kw.setdefault("host_hospital", trainee.hospital)
    return f.TrainingFactory(trainee=trainee, start_date=start, end_date=end, kind=kind, **kw)


def test_trainees_distinct_ids_and_kinds(world):
    a = f.TraineeFactory(hospital=world.lhasa_peoples)
    b = f.TraineeFactory(hospital=world.pulan)  # county hospital
    c = f.TraineeFactory(hospital=world.xj_children)  # Xinjiang
    training(a, D(2024, 1, 1), D(2024, 2, 1), kind="onsite_course")
    training(a, D(2024, 3, 1), D(2024, 4, 1), kind="onsite_course")  # same trainee, same kind
    training(a, D(2024, 5, 1), D(2024, 9, 1), kind="further_study")
    training(b, D(2023, 1, 1), None, kind="mentorship")  # ongoing
    training(c, D(2024, 1, 1), D(2024, 2, 1))
    result = summary(world, D(2024, 1, 1), D(2024, 12, 31))["trainees"]
    assert result == {
        "total": 2,
        "by_kind": {"onsite_course": 1, "mentorship": 1, "further_study": 1},
        "independent": 0,
    }
    # Ongoing training counts for any later period; bounds inclusive.
    assert summary(world, D(2030, 1, 1))["trainees"]["total"] == 1
    assert summary(world, D(2024, 2, 1), D(2024, 2, 1))["trainees"]["total"] == 2
    assert summary(world, D(2024, 2, 2), D(2024, 2, 28))["trainees"]["total"] == 1
    assert summary(world, None, D(2022, 12, 31))["trainees"]["total"] == 0


def test_independent_by_independent_on_within_period(world):
    a = f.TraineeFactory(hospital=world.lhasa_peoples)
    b = f.TraineeFactory(hospital=world.pulan)
    c = f.TraineeFactory(hospital=world.xj_children)
    # Training ended in 2023, independent from 2024-01-01: independent in 2024
    # but not a trainee of 2024.
    training(a, D(2023, 1, 1), D(2023, 12, 31), independent_on=D(2024, 1, 1))
    training(a, D(2023, 1, 1), D(2023, 3, 31), kind="onsite_course", independent_on=D(2024, 12, 31))
    training(b, D(2024, 1, 1), D(2024, 6, 30), independent_on=D(2025, 1, 1))
    training(c, D(2024, 1, 1), D(2024, 6, 30), independent_on=D(2024, 3, 1))
    result = summary(world, D(2024, 1, 1), D(2024, 12, 31))["trainees"]
    assert result["total"] == 1
    assert result["independent"] == 1  # a once, though two of a's trainings
    assert summary(world)["trainees"]["independent"] == 2
    assert summary(world, D(2024, 12, 31), D(2024, 12, 31))["trainees"]["independent"] == 1
    assert summary(world, D(2024, 1, 2), D(2024, 12, 30))["trainees"]["independent"] == 0


# ---------------------------------------------------------------- techniques, referrals, consultations


def test_techniques_introduced_within_period(world):
    f.TechniqueFactory(hospital=world.lhasa_peoples, introduced_on=D(2024, 1, 1), first_in_region=True)
    f.TechniqueFactory(hospital=world.pulan, introduced_on=D(2024, 12, 31))
    f.TechniqueFactory(hospital=world.pulan, introduced_on=D(2025, 1, 1), first_in_region=True)
    f.TechniqueFactory(hospital=world.xj_children, introduced_on=D(2024, 5, 1), first_in_region=True)
    assert summary(world, D(2024, 1, 1), D(2024, 12, 31))["techniques"] == {"total": 2, "first_in_region": 1}
    assert summary(world)["techniques"] == {"total": 3, "first_in_region": 2}


def test_referrals_by_destination_and_origin(world):
    R = f.ReferralFactory
    R(kind="transfer_in", origin_region=world.ngari, destination_hospital=world.lhasa_peoples)
    R(kind="transfer_in", origin_region=None, origin_hospital=world.pulan, destination_hospital=world.xigaze_peoples)
    R(kind="transfer_in", origin_region=world.tibet, destination_hospital=world.xj_children)  # to Xinjiang
    R(kind="referral_out", origin_region=None, origin_hospital=world.pulan, destination_hospital=None,
      destination_region=world.beijing)
    R(kind="referral_out", origin_region=None, origin_hospital=world.xj_children,
      destination_hospital=world.lhasa_peoples)  # out of Xinjiang into Tibet: not Tibet's
    R(kind="international", origin_region=None, origin_country="NP", destination_hospital=world.pulan)
    R(kind="international", origin_region=None, origin_country="NP", destination_hospital=world.pulan,
      date=D(2025, 1, 1))  # after the period
    assert summary(world, D(2024, 1, 1), D(2024, 12, 31))["referrals"] == {
        "transfer_in": 2, "referral_out": 1, "international": 1,
    }
    assert region_summary(world.xinjiang)["referrals"] == {
        "transfer_in": 1, "referral_out": 1, "international": 0,
    }


def test_consultations_by_requesting_hospital(world):
    C = f.ConsultationFactory
    C(requesting_hospital=world.pulan, consulting_hospital=world.bj_friendship, date=D(2024, 1, 1))
    C(requesting_hospital=world.lhasa_peoples, consulting_hospital=world.renji, date=D(2024, 12, 31))
    C(requesting_hospital=world.lhasa_peoples, consulting_hospital=world.renji, date=D(2025, 1, 1))
    C(requesting_hospital=world.bj_friendship, consulting_hospital=world.lhasa_peoples, date=D(2024, 5, 1))
    assert summary(world, D(2024, 1, 1), D(2024, 12, 31))["consultations"] == 2
    assert summary(world)["consultations"] == 3


# ---------------------------------------------------------------- the dashboard's filters


@pytest.fixture
def mixed(world):
    """Two donors, two specialties, something of everything."""
    world.bj_team = f.TeamFactory(program=world.bj_lhasa)
    world.sh_team = f.TeamFactory(program=world.sh_xigaze)
    for prog, spec in ((world.bj_lhasa, "general_surgery"), (world.sh_xigaze, "orthopedics")):
        f.TwinningFactory(program=prog, specialty=f.specialty(spec), donor_hospital=world.bj_friendship)
    rotation(world.bj_team, D(2024, 1, 1), D(2024, 1, 10), specialty="general_surgery")
    rotation(world.sh_team, D(2024, 1, 1), D(2024, 1, 20), specialty="orthopedics")
    for team, spec in ((world.bj_team, "general_surgery"), (world.sh_team, "orthopedics"), (None, "orthopedics")):
        f.SurgeryFactory(hospital=world.lhasa_peoples, team=team, specialty=f.specialty(spec))
    t1, t2 = f.TraineeFactory(hospital=world.lhasa_peoples), f.TraineeFactory(hospital=world.pulan)
    training(t1, D(2024, 1, 1), program=world.bj_lhasa, specialty=f.specialty("general_surgery"))
    training(t2, D(2024, 1, 1), program=world.sh_xigaze, specialty=f.specialty("orthopedics"))
    training(t2, D(2024, 1, 1), specialty=f.specialty("general_surgery"), kind="onsite_course")
    f.TechniqueFactory(hospital=world.pulan, program=world.bj_lhasa, specialty=f.specialty("general_surgery"))
    f.TechniqueFactory(hospital=world.pulan, specialty=f.specialty("orthopedics"))
    f.ConsultationFactory(requesting_hospital=world.pulan, consulting_hospital=world.bj_friendship,
                          specialty=f.specialty("orthopedics"))
    f.ConsultationFactory(requesting_hospital=world.pulan, consulting_hospital=world.renji,
                          specialty=f.specialty("orthopedics"))
    f.ReferralFactory(destination_hospital=world.pulan)
    return world


def test_unfiltered_mixed(mixed):
    result = summary(mixed)
    assert (result["programs"], result["twinned_departments"], result["teams"]) == (2, 2, 2)
    assert (result["experts"], result["expert_days"]) == (2, 30)
    assert result["surgeries"]["total"] == 3
    assert result["trainees"]["total"] == 2
    assert result["techniques"]["total"] == 2
    assert result["consultations"] == 2
    assert result["referrals"]["transfer_in"] == 1


def test_specialty_filter_narrows_figures_with_a_specialty(mixed):
    result = summary(mixed, specialty="orthopedics")
    # programs, teams and referrals have no specialty: unchanged.
    assert (result["programs"], result["teams"], result["referrals"]["transfer_in"]) == (2, 2, 1)
    assert result["twinned_departments"] == 1
    assert (result["experts"], result["expert_days"]) == (1, 20)
    assert result["surgeries"]["total"] == 2
    assert result["trainees"] == {
        "total": 1, "by_kind": {"onsite_course": 0, "mentorship": 1, "further_study": 0}, "independent": 0,
    }
    assert result["techniques"]["total"] == 1
    assert result["consultations"] == 2
    assert [(d["code"], d["programs"], d["experts"], d["expert_days"], d["surgeries"]) for d in result["by_donor"]] == [
        ("110000", 1, 0, 0, 0),
        ("310000", 1, 1, 20, 1),
    ]
    assert summary(mixed, specialty="neurology")["surgeries"]["total"] == 0


def test_donor_filter_keeps_that_donors_programs_and_what_hangs_off_them(mixed):
    result = summary(mixed, donor="110000")
    assert (result["programs"], result["twinned_departments"], result["teams"]) == (1, 1, 1)
    assert (result["experts"], result["expert_days"]) == (1, 10)
    assert result["surgeries"]["total"] == 1  # through its team; none without a team
    assert result["trainees"]["total"] == 1  # through the training's program
    assert result["techniques"]["total"] == 1
    assert result["consultations"] == 1  # consulting hospital in Beijing
    assert result["referrals"]["transfer_in"] == 1  # no donor: unchanged
    assert [d["code"] for d in result["by_donor"]] == ["110000"]
    both = summary(mixed, donor=mixed.shanghai, specialty="general_surgery")
    assert (both["programs"], both["experts"], both["surgeries"]["total"]) == (1, 0, 0)


def test_filters_absent_equal_the_spec(mixed):
    assert summary(mixed, specialty=None, donor=None) == summary(mixed)
    assert summary(mixed, specialty="", donor="") == summary(mixed)


# ---------------------------------------------------------------- query count


def fill(world, n):
    """n of each kind of row, spread over both Tibet programs."""
    teams = [f.TeamFactory(program=world.bj_lhasa), f.TeamFactory(program=world.sh_xigaze)]
    for i in range(n):
        team = teams[i % 2]
        day = D(2024, 1, 1) + dt.timedelta(days=i * 7 % 360)
        rotation(team, day, day + dt.timedelta(days=30))
        f.SurgeryFactory(hospital=world.pulan, team=team, date=day, lead=["local", "joint"][i % 2])
        training(f.TraineeFactory(hospital=world.lhasa_peoples), day, None, independent_on=day)
        f.TechniqueFactory(hospital=world.xigaze_peoples, introduced_on=day)
        f.ReferralFactory(destination_hospital=world.pulan, date=day)
        f.ConsultationFactory(requesting_hospital=world.pulan, date=day)
        f.TwinningFactory(program=team.program, donor_hospital=f.HospitalFactory(region=world.beijing))


@pytest.mark.parametrize("rows", [1, 30])
def test_query_count_does_not_grow_with_the_data(world, rows, django_assert_num_queries):
    fill(world, rows)
    # One query per kind of row counted (figures/summary.py).
    with django_assert_num_queries(9):
        result = summary(world, D(2024, 1, 1), D(2024, 12, 31), specialty="general_surgery")
    assert result["surgeries"]["total"] == rows
    with django_assert_num_queries(9):
        region_summary(world.tibet)
    with django_assert_num_queries(10):  # + the region by its code
        region_summary("540000", donor="110000")
    with django_assert_num_queries(9):
        rows_ = overview(YEAR_2024)
    assert rows_[0]["surgeries"] == rows


# ---------------------------------------------------------------- the overview


def test_overview_lists_recipient_regions_with_the_summary_figures(mixed):
    program(mixed, hospital=mixed.xj_children, donor=mixed.shanghai)
    f.SurgeryFactory(hospital=mixed.xj_children, lead="local")
    f.SurgeryFactory(hospital=mixed.xj_children, lead="joint")
    assert list(recipient_regions().values_list("code", flat=True)) == ["540000", "650000"]
    for period in (Period(), YEAR_2024, Period(D(2024, 1, 5), D(2024, 1, 15)), Period(D(2030, 1, 1))):
        rows = overview(period)
        assert [r["code"] for r in rows] == ["540000", "650000"]
        for row in rows:
            s = region_summary(row["code"], period)
            assert row["name"] == s["region"]["name"]
            for key in ("programs", "twinned_departments", "teams", "experts", "expert_days", "consultations"):
                assert row[key] == s[key], (key, period)
            assert row["surgeries"] == s["surgeries"]["total"]
            assert row["surgeries_local"] == s["surgeries"]["by_lead"]["local"]
            assert row["trainees"] == s["trainees"]["total"]
            assert row["techniques"] == s["techniques"]["total"]
    xj = overview()[1]
    assert (xj["surgeries"], xj["local_share_percent"]) == (2, 50.0)
    assert overview(Period(D(2030, 1, 1)))[1]["local_share_percent"] is None


# ---------------------------------------------------------------- parse_period


@pytest.mark.parametrize(
    "start,end,message",
    [
        ("2024-13-01", "", "'from': '2024-13-01' is not a date"),
        ("", "31.12.2024", "'to': '31.12.2024' is not a date"),
        ("20240101", "", "is not a date"),
        ("2024-12-31", "2024-01-01", "'from' (2024-12-31) is after 'to' (2024-01-01)"),
    ],
)
def test_parse_period_refuses_bad_input(start, end, message):
    with pytest.raises(ValueError) as error:
        parse_period(start, end)
    assert message in str(error.value)


def test_parse_period():
    assert parse_period(None, "") == Period()
    assert parse_period(" 2024-01-01 ", "2024-01-01") == Period(D(2024, 1, 1), D(2024, 1, 1))


def test_surgery_index_is_covering_on_postgresql(postgres_only):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'surgery_hospital_date_idx'")
        (definition,) = cursor.fetchone()
    assert "(hospital_id, date) INCLUDE (lead, grade, approach, demonstration, first_in_region" in definition
