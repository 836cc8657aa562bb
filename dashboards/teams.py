"""The teams list (/teams/): every team (batch) the user may read, filtered
by recipient region, program, donor and period, with the interchange
format's CSV export; each row leads to the team's page (/teams/<code>/)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from deployments import columns
from deployments.filters import TeamFilter
from deployments.models import Team
from records.lists import RecordListView


class TeamListView(RecordListView):
    title = _("Teams")
    filterset_class = TeamFilter
    template_name = "dashboards/team_list.html"
    select_related = ("program__donor_region", "program__recipient_hospital__region")
    sort_columns = {
        "code": "code", "name": "name", "program": ["program_id", "batch"], "batch": "batch",
        "donor": "program__donor_region_id", "recipient": "program__recipient_hospital__name",
        "start": "start_date", "end": "end_date", "people": "people",
    }
    default_sort = "-start"
    csv_filename = "teams.csv"
    csv_columns = columns.TEAMS

    def base_queryset(self, request):
        # The rotations of each team, counted in the page's one query of rows.
        return Team.objects.visible_to(request.user).annotate(people=Count("rotations"))
