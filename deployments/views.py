"""Record list of rotations (the programs and teams pages are dashboards)."""

from django.utils.translation import gettext_lazy as _

from records.lists import RecordListView
from deployments import columns
from deployments.models import Rotation
from deployments.filters import RotationFilter


class RotationListView(RecordListView):
    title = _("Rotations")
    filterset_class = RotationFilter
    template_name = "deployments/rotation_list.html"
    create_url_name = "deployments:rotation_create"
    select_related = ("team__program", "person__home_hospital", "specialty")
    distinct_counts = {"experts": "person"}
    sort_columns = {
        "start": "start_date", "end": "end_date", "person": "person__name",
        "team": ["team__program_id", "team__batch"], "specialty": "specialty__name",
        "title": "title", "role": "role",
    }
    default_sort = "-start"
    csv_filename = "rotations.csv"
    csv_columns = columns.ROTATIONS

    def base_queryset(self, request):
        return Rotation.objects.visible_to(request.user)
