"""The filter selects read their options as plain values
(`choice_labels`): the same values and labels as building every instance,
in both languages, selected option included."""

import pytest
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.utils import translation

from dashboards.forms import OverviewForm, RegionDashboardFilter
from deployments.filters import ProgramFilter, RotationFilter
from deployments.models import Program
from hospitals.filters import HospitalFilter
from hospitals.models import Hospital, Region, Specialty
from outcomes.filters import (
    ConsultationFilter,
    ReferralFilter,
    SurgeryFilter,
    TechniqueFilter,
    TrainingFilter,
)

QUERY = "region=540000&hospital=LS-PEOPLES&specialty=general_surgery"


def forms(query):
    data = QueryDict(query) if query else None
    for filterset in (SurgeryFilter, TrainingFilter, TechniqueFilter, ReferralFilter,
                      ConsultationFilter, RotationFilter, ProgramFilter, HospitalFilter,
                      RegionDashboardFilter):
        yield filterset(data).form
    yield OverviewForm(data)


def instance_choices(field):
    """What Django's own iterator yields: one instance per option."""
    return [(str(value), str(label)) for value, label in ModelChoiceIterator(field)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_model_select_lists_what_the_instances_would(world, language):
    models = set()
    with translation.override(language):
        for form in forms(QUERY):
            for name, field in form.fields.items():
                if not hasattr(field, "queryset"):
                    continue
                fast = [(str(value), str(label)) for value, label in field.choices]
                slow = instance_choices(field)
                if getattr(field, "null_label", None) is not None:  # django-filter's "none" choice
                    slow.insert(1, (str(field.null_value), str(field.null_label)))
                assert fast == slow, (type(form).__name__, name)
                if len(fast) > 1:
                    models.add(field.queryset.model)
            html = str(form)
            if "hospital" in form.fields:
                assert '<option value="LS-PEOPLES" selected>' in html
    assert {Region, Hospital, Specialty, Program} <= models


def test_chinese_names_fall_back_to_english_and_back(world):
    region = Region.objects.get(code="540000")
    with translation.override("zh-hans"):
        labels = dict(Region.choice_labels(Region.objects.filter(pk=region.pk)))
        assert labels == {"540000": str(region)}
    Region.objects.filter(pk=region.pk).update(name_zh="")
    region.refresh_from_db()
    with translation.override("zh-hans"):
        assert dict(Region.choice_labels(Region.objects.filter(pk=region.pk))) == {"540000": f"540000 {region.name}"}




def test_team_labels_are_their_names(world):
    import datetime as dt

    from deployments.models import Team

    for batch in (9, 10):
        Team.objects.create(code=f"BJ-LHASA-{batch}", program=world.bj_lhasa, name=f"Group {batch}",
                            batch=batch, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31))
    teams = Team.objects.order_by("program_id", "batch")
    assert list(Team.choice_labels(teams)) == [(team.pk, str(team)) for team in teams]
