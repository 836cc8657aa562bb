"""region_summary() agrees with summaries worked out by hand from the spec
for a small hand-made bundle (tests/data/summary_bundle/README.md explains
every figure). The CSVs are read by a minimal loader here, so this test
depends on nothing but the models."""

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from figures.overview import overview
from figures.summary import region_summary
from deployments.models import Person, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region
from aidtracker.lib.periods import Period
from outcomes.models import Consultation, Referral, Surgery, Technique, Trainee, Training

BUNDLE = Path(__file__).parent / "data" / "summary_bundle"

pytestmark = pytest.mark.django_db


def rows(name):
    with open(BUNDLE / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {key: (value or None) for key, value in row.items()}


def day(value):
    return dt.date.fromisoformat(value) if value else None


def yes(value):
    return (value or "").lower() in ("yes", "true", "1", "y")


def load_bundle():
    for r in rows("regions"):
        Region.objects.create(code=r["code"], name=r["name"], name_zh=r["name_zh"] or "",
                              level=r["level"], parent_id=r["parent_code"])
    for r in rows("hospitals"):
        Hospital.objects.create(code=r["code"], name=r["name"], name_zh=r["name_zh"] or "",
                                region_id=r["region_code"], grade=r["grade"] or "", kind=r["kind"])
    for r in rows("programs"):
        Program.objects.create(code=r["code"], name=r["name"], kind=r["kind"],
                               donor_region_id=r["donor_region_code"],
                               recipient_hospital_id=r["recipient_hospital_code"],
                               start_date=day(r["start_date"]), end_date=day(r["end_date"]))
    for r in rows("twinnings"):
        Twinning.objects.create(program_id=r["program_code"], specialty_id=r["specialty"],
                                donor_hospital_id=r["donor_hospital_code"],
                                start_date=day(r["start_date"]), end_date=day(r["end_date"]))
    for r in rows("teams"):
        Team.objects.create(code=r["code"], program_id=r["program_code"], name=r["name"],
                            batch=int(r["batch"]), start_date=day(r["start_date"]),
                            end_date=day(r["end_date"]))
    for r in rows("rotations"):
        Person.objects.get_or_create(code=r["person_id"], defaults={
            "name": r["person_name"], "home_hospital_id": r["home_hospital_code"]})
        Rotation.objects.create(team_id=r["team_code"], person_id=r["person_id"],
                                specialty_id=r["specialty"], title=r["title"], role=r["role"],
                                start_date=day(r["start_date"]), end_date=day(r["end_date"]))
    for r in rows("surgeries"):
        Surgery.objects.create(ref=r["ref"], date=day(r["date"]), hospital_id=r["hospital_code"],
                               specialty_id=r["specialty"], procedure=r["procedure"],
                               grade=int(r["grade"]), approach=r["approach"], lead=r["lead"],
                               team_id=r["team_code"], demonstration=yes(r["demonstration"]),
                               first_in_region=yes(r["first_in_region"]), outcome=r["outcome"])
    for r in rows("trainings"):
        Trainee.objects.get_or_create(code=r["trainee_id"], defaults={
            "name": r["trainee_name"], "hospital_id": r["hospital_code"], "role": r["role"]})
        Training.objects.create(ref=r["ref"], trainee_id=r["trainee_id"], specialty_id=r["specialty"],
                                kind=r["kind"], host_hospital_id=r["host_hospital_code"],
                                program_id=r["program_code"], start_date=day(r["start_date"]),
                                end_date=day(r["end_date"]), status=r["status"],
                                independent_on=day(r["independent_on"]), skill=r["skill"] or "")
    for r in rows("techniques"):
        Technique.objects.create(ref=r["ref"], hospital_id=r["hospital_code"],
                                 specialty_id=r["specialty"], name=r["name"],
                                 introduced_on=day(r["introduced_on"]), program_id=r["program_code"],
                                 first_in_region=yes(r["first_in_region"]))
    hospitals = set(Hospital.objects.values_list("code", flat=True))
    for r in rows("referrals"):
        ends = {}
        for end in ("origin", "destination"):
            code = r[end]
            if end == "origin" and r["kind"] == "international":
                ends["origin_country"] = code
            elif code in hospitals:
                ends[f"{end}_hospital_id"] = code
            else:
                ends[f"{end}_region_id"] = code
        Referral.objects.create(ref=r["ref"], date=day(r["date"]), kind=r["kind"],
                                age_group=r["age_group"], **ends)
    for r in rows("consultations"):
        Consultation.objects.create(ref=r["ref"], date=day(r["date"]),
                                    requesting_hospital_id=r["requesting_hospital_code"],
                                    consulting_hospital_id=r["consulting_hospital_code"],
                                    specialty_id=r["specialty"], mode=r["mode"])


@pytest.mark.parametrize(
    "code,start,end,expected",
    [
        ("540000", "2024-01-01", "2024-12-31", "expected_540000_2024.json"),
        ("540000", "2024-01-01", "2024-01-01", "expected_540000_2024-01-01.json"),
        ("650000", "2024-01-01", "2024-12-31", "expected_650000_2024.json"),
    ],
)
def test_summary_of_the_hand_made_bundle(code, start, end, expected):
    load_bundle()
    result = region_summary(code, Period(day(start), day(end)))
    want = json.loads((BUNDLE / expected).read_text(encoding="utf-8"))
    assert result == want
    assert json.dumps(result) == json.dumps(want)  # the same key order too


def test_overview_of_the_hand_made_bundle():
    load_bundle()
    tibet, xinjiang = overview(Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert (tibet["code"], tibet["programs"], tibet["experts"], tibet["expert_days"]) == ("540000", 3, 3, 399)
    assert (tibet["surgeries"], tibet["surgeries_local"], tibet["local_share_percent"]) == (9, 4, 44.4)
    assert (tibet["trainees"], tibet["techniques"], tibet["consultations"]) == (3, 3, 2)
    assert (xinjiang["code"], xinjiang["expert_days"], xinjiang["surgeries"]) == ("650000", 366, 1)
