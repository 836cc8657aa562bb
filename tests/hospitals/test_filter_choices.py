"""The filter selects read their options in one plain fetch (hospitals.filters
._FetchedChoices): the same values and labels as Django's own iterator, in
both languages, selected option included."""

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
