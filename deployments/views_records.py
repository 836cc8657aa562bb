"""Rotation pages (detail, create, edit, delete, history), built from
records.views with the scope rules of accounts.scope."""

from records.views import RecordKind, record_urlpatterns
from deployments.forms import RotationForm
from deployments.models import Rotation

ROTATION = RecordKind(
    model=Rotation, form_class=RotationForm, name="rotation", namespace="deployments",
    select_related=["team__program__recipient_hospital__region__parent__parent", "person", "specialty"],
    counts_at=("team__program__recipient_hospital", "start_date"),
)

urlpatterns = [*record_urlpatterns(ROTATION, "rotations")]
