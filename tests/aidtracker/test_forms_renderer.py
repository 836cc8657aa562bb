"""The fast <select> renderer writes exactly what Django's templates write."""

import pytest
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict

from aidtracker.lib import forms_renderer
from aidtracker.lib.forms_renderer import FastSelectRenderer, render_select
from dashboards.forms import OverviewForm, RegionDashboardFilter
from deployments.filters import ProgramFilter, RotationFilter
from hospitals.filters import HospitalFilter
from outcomes.filters import (
    ConsultationFilter,
    ReferralFilter,
    SurgeryFilter,
    TechniqueFilter,
    TrainingFilter,
)

QUERIES = ["", "region=540000&specialty=general_surgery&lead=local&demonstration=true",
           "region=nope&grade=9&date_after=2024-01-01", 'q=<b>"x"</b>&hospital=LS-PEOPLES']


def forms(query):
    data = QueryDict(query) if query else None
    for filterset in (SurgeryFilter, TrainingFilter, TechniqueFilter, ReferralFilter,
                      ConsultationFilter, RotationFilter, ProgramFilter, HospitalFilter,
                      RegionDashboardFilter):
        yield filterset(data).form
    yield OverviewForm(data)


@pytest.mark.parametrize("query", QUERIES)
def test_every_select_renders_as_djangos_templates_do(world, query, monkeypatch):
    fast = []
    original = render_select
    monkeypatch.setattr(forms_renderer, "render_select", lambda widget: fast.append(1) or original(widget))
    selects = 0
    for form in forms(query):
        for field in form:
            form.renderer = DjangoTemplates()
            expected = str(field)
            form.renderer = FastSelectRenderer()
            assert str(field) == expected, (type(form).__name__, field.name)
            selects += "<select" in expected
    assert selects > 20 and len(fast) == selects  # every select took the fast path
