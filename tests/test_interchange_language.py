"""The interchange format stays exactly as the spec fixes it in every
language: codes, column names and keys are never translated, only the labels
shown beside them.

Checks what exists now: the code lists (TextChoices values and the specialty
table) and Django fixtures (the bundle format admins move between
installations). The importer's column lists, the CSV export and the summary
JSON join here as they land (see the lead's note in the report)."""

import json

from django.core import serializers
from django.utils import translation

from deployments.models import Program, Rotation, Title
from hospitals.models import Hospital, Region, Specialty
from outcomes.models import Consultation, IndicatorValue, Referral, Surgery, Trainee, Training

# interchange-v1.md, section 3, verbatim.
SPEC_CODES = {
    "region level": (Region.Level, ["province", "prefecture", "county"]),
    "hospital grade": (Hospital.Grade, ["3A", "3B", "3C", "2A", "2B", "2C", "1", "unrated"]),
    "hospital kind": (Hospital.Kind, ["general", "maternal_child", "children", "specialist", "tcm", "township"]),
    "program kind": (Program.Kind, ["group_aid", "department_twinning", "regional_center", "remote_support"]),
    "rotation title": (Title, ["chief", "associate_chief", "attending", "resident", "nurse", "technician", "administrator"]),
    "rotation role": (Rotation.Role, ["leader", "member", "paired_director"]),
    "surgery grade": (Surgery.Grade, [1, 2, 3, 4]),
    "surgery approach": (Surgery.Approach, ["open", "laparoscopic", "thoracoscopic", "endoscopic", "robotic", "interventional", "other"]),
    "surgery lead": (Surgery.Lead, ["visiting", "joint", "local"]),
    "surgery outcome": (Surgery.Outcome, ["success", "complication", "death"]),
    "training role": (Trainee.Role, ["doctor", "nurse", "technician", "manager"]),
    "training kind": (Training.Kind, ["onsite_course", "mentorship", "further_study"]),
    "training status": (Training.Status, ["ongoing", "completed", "withdrawn"]),
    "referral kind": (Referral.Kind, ["transfer_in", "referral_out", "international"]),
    "referral age_group": (Referral.AgeGroup, ["neonate", "child", "adult"]),
    "referral outcome": (Referral.Outcome, ["recovered", "improved", "died", "unknown"]),
    "consultation mode": (Consultation.Mode, ["remote", "onsite"]),
    "indicator": (IndicatorValue.Indicator, ["outpatient_visits", "inpatient_admissions", "surgeries_total", "outbound_referrals", "conditions_treatable", "neonatal_deaths", "live_births"]),
}
SPEC_SPECIALTIES = [
    "general_surgery", "orthopedics", "neurosurgery", "urology", "cardiothoracic_surgery",
    "pediatric_surgery", "obstetrics_gynecology", "neonatology", "pediatrics", "cardiology",
    "respiratory", "gastroenterology", "neurology", "nephrology", "endocrinology", "hematology",
    "oncology", "infectious_disease", "emergency", "critical_care", "anesthesiology",
    "ophthalmology", "ent", "stomatology", "dermatology", "radiology", "ultrasound", "pathology",
    "laboratory", "nursing", "rehabilitation", "psychiatry", "tcm", "plateau_medicine",
    "hospital_management",
]


def test_codes_stay_the_spec_codes_while_their_labels_are_chinese():
    with translation.override("zh-hans"):
        for name, (choices, codes) in SPEC_CODES.items():
            assert list(choices.values) == codes, name
            assert [str(label) for label in choices.labels] != [str(c) for c in codes], name
            assert all(str(choice) == str(choice.value) for choice in choices), name


def test_specialty_codes_are_the_spec_list_in_any_language(db):
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert sorted(Specialty.objects.values_list("code", flat=True)) == sorted(SPEC_SPECIALTIES)


def test_fixtures_are_byte_identical_in_english_and_chinese(world):
    models = [Region, Hospital, Program]

    def dump():
        return serializers.serialize(
            "json", [obj for model in models for obj in model.objects.all()],
            use_natural_foreign_keys=True, use_natural_primary_keys=True,
        )

    with translation.override("en"):
        english = dump()
    with translation.override("zh-hans"):
        chinese = dump()
    assert chinese == english
    first = json.loads(chinese)[0]
    assert first["model"] == "hospitals.region"
    assert set(first["fields"]) == {"name", "name_zh", "level", "parent"}
