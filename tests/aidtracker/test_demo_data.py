"""The demo fixture, its generator, natural keys and generate_data."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Exists, OuterRef, Q

from demo import synthetic
from deployments.models import Person, Program, Rotation, Team, Twinning
from hospitals.models import Hospital, Region, Specialty
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

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.json"

# every model a person works in, in dependency order
MODELS = [
    Region, Hospital, Specialty, Program, Twinning, Team, Person, Rotation,
    Trainee, Training, Technique, Surgery, Referral, Consultation, IndicatorValue,
]


def overlapping_rotations():
    """Rotations that share a day with another rotation of the same person."""
    clash = Rotation.objects.filter(
        person=OuterRef("person"),
        start_date__lte=OuterRef("end_date"),
        end_date__gte=OuterRef("start_date"),
    ).exclude(pk=OuterRef("pk"))
    return Rotation.objects.filter(Exists(clash))


def full_clean_all(queryset, step=1):
    for i, obj in enumerate(queryset.order_by("pk").iterator()):
        if i % step == 0:
            obj.full_clean()


@pytest.mark.django_db
def test_demo_fixture_loads_once_with_the_named_programs_and_every_table_filled():
    """The slow one: loads fixtures/demo.json through load_demo, once."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "loaded demo.json" in out.getvalue()

    expected = {}
    for obj in json.loads(DEMO.read_text(encoding="utf-8")):
        expected[obj["model"]] = expected.get(obj["model"], 0) + 1
        assert "pk" in obj or obj["model"] in {
            "deployments.twinning", "deployments.rotation", "outcomes.surgery",
            "outcomes.training", "outcomes.technique", "outcomes.referral",
            "outcomes.consultation", "outcomes.indicatorvalue",
        }, "only rows with a code carry a primary key"
    for model in MODELS:
        assert model.objects.exists(), f"{model._meta.label} is empty"
        if model is not Specialty:
            assert model.objects.count() == expected[model._meta.label_lower]

    assert set(Program.objects.values_list("code", flat=True)) >= {
        "SH-KASHGAR", "BJ-XJ-PAEDIATRIC-CENTRE", "SH-XIGAZE", "BJ-LHASA", "SN-PULAN",
    }
    assert Program.objects.get(code="BJ-XJ-PAEDIATRIC-CENTRE").start_date == dt.date(2020, 12, 1)
    assert set(
        Twinning.objects.filter(program="BJ-LHASA", donor_hospital="BJ-FRIENDSHIP")
        .values_list("specialty", flat=True)
    ) == {"orthopedics", "neurology", "respiratory", "neurosurgery", "general_surgery"}
    assert Twinning.objects.filter(program="SH-XIGAZE", specialty="urology", donor_hospital="SH-RENJI").exists()
    assert Team.objects.get(code="SH-XIGAZE-B08").name == "Eighth Group of Shanghai Tibet Medical Team"
    assert Hospital.objects.get(code="PL-COUNTY").region.name_zh == "普兰县"

    # the rules that need several rows hold; a sample of every table passes full_clean
    assert not overlapping_rotations().exists()
    for model in MODELS:
        full_clean_all(model.objects.all(), step=max(1, model.objects.count() // 40))

    # the figures of the seed articles
    xj = Technique.objects.filter(hospital="XJ-CHILDREN").aggregate(
        n=Count("id"), first=Count("id", filter=Q(first_in_region=True)))
    assert xj == {"n": 41, "first": 14}
    assert Technique.objects.filter(hospital="LS-PEOPLES", first_in_region=True).count() > 30
    on_site = Rotation.objects.filter(start_date__lte=synthetic.TODAY, end_date__gte=synthetic.TODAY)
    assert on_site.values("team__program").distinct().count() >= 5
    assert Person.objects.annotate(n=Count("rotations")).filter(n__gt=1).exists()
    transfers_2023 = Referral.objects.filter(
        kind="transfer_in", destination_hospital="XJ-CHILDREN", date__year=2023).count()
    assert 600 <= transfers_2023 <= 800
    assert Referral.objects.filter(kind="international", origin_country="PL").exists()

    def local_share(year):
        qs = Surgery.objects.filter(date__year=year)
        return qs.filter(lead="local").count() / qs.count()

    assert local_share(2026) > local_share(2018) + 0.2

    # load_demo again: nothing loaded, still one admin
    counts = {m: m.objects.count() for m in MODELS}
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "nothing loaded" in out.getvalue()
    assert {m: m.objects.count() for m in MODELS} == counts
    admins = get_user_model().objects.filter(username="admin")
    assert admins.count() == 1
    assert admins.get().check_password("aidtracker-demo") and admins.get().is_superuser


def test_committed_fixture_is_what_the_generator_writes(tmp_path):
    out = tmp_path / "demo.json"
    call_command("make_demo_fixture", str(out), stdout=io.StringIO())
    assert out.read_bytes() == DEMO.read_bytes(), "run `make demo-fixture` and commit the result"


def test_generator_is_deterministic():
    a, b = synthetic.build_world(), synthetic.build_world()
    assert a.rotations == b.rotations and a.people == b.people
    first = list(synthetic.surgeries(a, 300, seed=5))
    assert first == list(synthetic.surgeries(b, 300, seed=5))
    assert first != list(synthetic.surgeries(b, 300, seed=6))


@pytest.mark.django_db
def test_natural_keys_round_trip_through_an_empty_database(tmp_path):
    w = f.make_world()
    twinning = f.TwinningFactory(program=w.bj_lhasa, specialty=f.specialty("orthopedics"),
                                 donor_hospital=w.bj_friendship)
    team = f.TeamFactory(program=w.sh_xigaze, code="SH-XIGAZE-B08", batch=8)
    person = f.PersonFactory(code="SH-RENJI-0001", home_hospital=w.renji)
    f.RotationFactory(team=team, person=person, specialty=f.specialty("urology"))
    f.SurgeryFactory(ref="S1", hospital=w.xigaze_peoples, team=team, blood_loss_ml=20)
    trainee = f.TraineeFactory(code="T1", hospital=w.xigaze_peoples)
    f.TrainingFactory(ref="TR1", trainee=trainee, kind="further_study", host_hospital=w.renji,
                      program=w.sh_xigaze, hours="12.5", independent_on=dt.date(2024, 8, 1))
    f.TechniqueFactory(ref="TQ1", hospital=w.xigaze_peoples, program=w.sh_xigaze, first_in_region=True)
    f.ReferralFactory(ref="R1", origin_region=w.ngari, destination_hospital=w.lhasa_peoples,
                      distance_km="1250.5")
    f.ReferralFactory(ref="R2", kind="referral_out", origin_region=None, origin_hospital=w.pulan,
                      destination_region=w.beijing, destination_hospital=None)
    f.ReferralFactory(ref="R3", kind="international", origin_region=None, origin_country="PL",
                      destination_hospital=w.xj_children, age_group="child")
    f.ConsultationFactory(ref="C1", requesting_hospital=w.lhasa_peoples,
                          consulting_hospital=w.bj_friendship)
    f.IndicatorValueFactory(hospital=w.xj_children, period=dt.date(2021, 1, 1), value="1234.50")
    assert twinning.pk

    def snapshot():
        return {
            m._meta.label: sorted(
                (tuple(sorted((k, str(v)) for k, v in row.items())) for row in
                 m.objects.values(*[fl.attname for fl in m._meta.concrete_fields
                                    if not (fl.primary_key and fl.auto_created)])),
            )
            for m in MODELS
        }

    before = snapshot()
    dump = tmp_path / "dump.json"
    call_command("dumpdata", *[m._meta.label_lower for m in MODELS], natural_foreign=True,
                 natural_primary=True, output=str(dump), verbosity=0)
    objects = json.loads(dump.read_text(encoding="utf-8"))
    for obj in objects:  # no database ids anywhere
        model = apps.get_model(obj["model"])
        assert ("pk" in obj) == (not model._meta.pk.auto_created), obj
    rotation = next(o for o in objects if o["model"] == "deployments.rotation")
    assert rotation["fields"]["team"] == "SH-XIGAZE-B08"

    for model in reversed(MODELS):
        if model is Region:
            for level in ("county", "prefecture", "province"):
                Region.objects.filter(level=level).delete()
        else:
            model.objects.all().delete()
    assert all(not m.objects.exists() for m in MODELS)

    call_command("loaddata", str(dump), verbosity=0)
    assert snapshot() == before


@pytest.mark.django_db
def test_generate_data_adds_exactly_the_requested_rows_and_they_are_valid():
    world = synthetic.build_world()
    args = {"surgeries": 40, "trainings": 15, "rotations": 25, "seed": 3,
            "verbosity": 0, "stdout": io.StringIO()}
    call_command("generate_data", **args)
    assert Surgery.objects.count() == 40
    assert Training.objects.count() == 15
    assert Rotation.objects.count() == len(world.rotations) + 25
    assert Program.objects.count() == len(world.programs)
    # the generated rows pass full_clean (the reference world is the demo's, checked above)
    for queryset in (
        Surgery.objects.all(), Training.objects.all(), Trainee.objects.all(),
        Team.objects.filter(code__contains="-G3R1-"),
        Person.objects.filter(code__contains="-G3R1-"),
        Rotation.objects.filter(team__code__contains="-G3R1-"),
    ):
        assert queryset.exists()
        full_clean_all(queryset)
    assert not overlapping_rotations().exists()

    out = io.StringIO()
    call_command("generate_data", **{**args, "stdout": out})  # a second run adds, new refs
    assert Surgery.objects.count() == 80
    assert Training.objects.count() == 30
    assert Rotation.objects.count() == len(world.rotations) + 50
    assert Surgery.objects.filter(ref__startswith="G3R2-").count() == 40
    assert "surgeries" in out.getvalue() and " s; peak memory" in out.getvalue()
    assert not overlapping_rotations().exists()


@pytest.mark.django_db
def test_generate_data_adds_to_a_database_that_has_rows_of_its_own(world):
    f.TeamFactory(program=world.sh_xigaze, code="XIGAZE-OWN-1", batch=1)  # batch 1 is theirs
    call_command("generate_data", surgeries=30, trainings=5, rotations=12,
                 verbosity=0, stdout=io.StringIO())
    assert Surgery.objects.count() == 30
    assert Training.objects.count() == 5
    assert Team.objects.get(program="SH-XIGAZE", batch=1).code == "XIGAZE-OWN-1"
    assert Program.objects.get(code="SH-XIGAZE").name == world.sh_xigaze.name  # left alone
    assert Rotation.objects.filter(team__code__contains="-G0R1-").count() == 12
    assert not overlapping_rotations().exists()
