"""A minimal loader of hand-made interchange bundles (tests/data/*_bundle/)
for the tests that compare summaries with figures derived by hand.

It reads the CSVs with the csv module and creates the rows through the
models, so that those tests depend on nothing but the models: not on the
importer (interchange/), whose own tests check it. Files a bundle lacks are
skipped."""

import csv
import datetime as dt
from pathlib import Path

from deployments.models import Person, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region
from outcomes.models import Consultation, Referral, Surgery, Technique, Trainee, Training

DATA = Path(__file__).resolve().parents[1] / "data"


def rows(folder: Path, name: str):
    """The rows of `folder`/`name`.csv as dicts, empty cells as None (none when absent)."""
    path = folder / f"{name}.csv"
    if not path.exists():
        return
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {key: (value or None) for key, value in row.items()}


def day(value):
    return dt.date.fromisoformat(value) if value else None


def yes(value):
    return (value or "").lower() in ("yes", "true", "1", "y")


def load_bundle(folder: Path, *, suffix: str = ""):
    """Create every row of the bundle in `folder`, in the spec's file order.

    With a `suffix`, load a copy of its deployments and outcomes over the
    reference data already loaded: the regions and hospitals are not read
    again, and every other key (program, team, person, trainee, ref) gets
    the suffix. Copies multiply the rows without changing their shape."""

    def key(value):
        return f"{value}{suffix}" if value else value

    if not suffix:
        _load_reference(folder)
    for r in rows(folder, "programs"):
        Program.objects.create(code=key(r["code"]), name=r["name"], kind=r["kind"],
                               donor_region_id=r["donor_region_code"],
                               recipient_hospital_id=r["recipient_hospital_code"],
                               start_date=day(r["start_date"]), end_date=day(r["end_date"]))
    for r in rows(folder, "twinnings"):
        Twinning.objects.create(program_id=key(r["program_code"]), specialty_id=r["specialty"],
                                donor_hospital_id=r["donor_hospital_code"],
                                start_date=day(r["start_date"]), end_date=day(r["end_date"]))
    for r in rows(folder, "teams"):
        Team.objects.create(code=key(r["code"]), program_id=key(r["program_code"]), name=r["name"],
                            batch=int(r["batch"]), start_date=day(r["start_date"]),
                            end_date=day(r["end_date"]))
    for r in rows(folder, "rotations"):
        Person.objects.get_or_create(code=key(r["person_id"]), defaults={
            "name": r["person_name"], "home_hospital_id": r["home_hospital_code"]})
        Rotation.objects.create(team_id=key(r["team_code"]), person_id=key(r["person_id"]),
                                specialty_id=r["specialty"], title=r["title"], role=r["role"],
                                start_date=day(r["start_date"]), end_date=day(r["end_date"]))
    for r in rows(folder, "surgeries"):
        Surgery.objects.create(ref=key(r["ref"]), date=day(r["date"]), hospital_id=r["hospital_code"],
                               specialty_id=r["specialty"], procedure=r["procedure"],
                               grade=int(r["grade"]), approach=r["approach"], lead=r["lead"],
                               team_id=key(r["team_code"]), demonstration=yes(r["demonstration"]),
                               first_in_region=yes(r["first_in_region"]), outcome=r["outcome"])
    for r in rows(folder, "trainings"):
        Trainee.objects.get_or_create(code=key(r["trainee_id"]), defaults={
            "name": r["trainee_name"], "hospital_id": r["hospital_code"], "role": r["role"]})
        Training.objects.create(ref=key(r["ref"]), trainee_id=key(r["trainee_id"]), specialty_id=r["specialty"],
                                kind=r["kind"], host_hospital_id=r["host_hospital_code"],
                                program_id=key(r["program_code"]), start_date=day(r["start_date"]),
                                end_date=day(r["end_date"]), status=r["status"],
                                independent_on=day(r["independent_on"]), skill=r["skill"] or "")
    for r in rows(folder, "techniques"):
        Technique.objects.create(ref=key(r["ref"]), hospital_id=r["hospital_code"],
                                 specialty_id=r["specialty"], name=r["name"],
                                 introduced_on=day(r["introduced_on"]), program_id=key(r["program_code"]),
                                 first_in_region=yes(r["first_in_region"]))
    hospitals = set(Hospital.objects.values_list("code", flat=True))
    for r in rows(folder, "referrals"):
        ends = {}
        for end in ("origin", "destination"):
            code = r[end]
            if end == "origin" and r["kind"] == "international":
                ends["origin_country"] = code
            elif code in hospitals:
                ends[f"{end}_hospital_id"] = code
            else:
                ends[f"{end}_region_id"] = code
        Referral.objects.create(ref=key(r["ref"]), date=day(r["date"]), kind=r["kind"],
                                age_group=r["age_group"], **ends)
    for r in rows(folder, "consultations"):
        Consultation.objects.create(ref=key(r["ref"]), date=day(r["date"]),
                                    requesting_hospital_id=r["requesting_hospital_code"],
                                    consulting_hospital_id=r["consulting_hospital_code"],
                                    specialty_id=r["specialty"], mode=r["mode"])


def _load_reference(folder: Path):
    for r in rows(folder, "regions"):
        Region.objects.create(code=r["code"], name=r["name"], name_zh=r["name_zh"] or "",
                              level=r["level"], parent_id=r["parent_code"])
    for r in rows(folder, "hospitals"):
        Hospital.objects.create(code=r["code"], name=r["name"], name_zh=r["name_zh"] or "",
                                region_id=r["region_code"], grade=r["grade"] or "", kind=r["kind"])
