from django.urls import path, re_path
from django.views.generic import RedirectView

from dashboards import completeness, donors, home, hospitals, reports, teams, views

app_name = "dashboards"

#: A dashboard's figures to take away (dashboards/downloads.py): figures.xlsx, figures.csv.
FIGURES = r"/(?P<code>[^/]+)/figures\.(?P<fmt>csv|xlsx)$"

urlpatterns = [
    path("", home.home, name="overview"),
    # The overview is the list of recipient regions; its filters carry over.
    path("regions/", RedirectView.as_view(pattern_name="dashboards:overview", query_string=True)),
    path("regions/<str:code>/", views.region, name="region"),
    path("regions/<str:code>/completeness/", completeness.region_completeness, name="region_completeness"),
    path("regions/<str:code>/completeness.csv", completeness.region_completeness, {"export": True},
         name="region_completeness_csv"),
    re_path(r"^regions" + FIGURES, views.region_figures, name="region_figures"),
    path("regions/<str:code>/report/", reports.region_brief, name="region_brief"),
    path("regions/<str:code>/report.pdf", reports.region_brief, {"as_pdf": True}, name="region_brief_pdf"),
    path("donors/", donors.donor_list, name="donor_list"),
    path("donors/<str:code>/", donors.donor, name="donor"),
    re_path(r"^donors" + FIGURES, donors.donor_figures, name="donor_figures"),
    path("donors/<str:code>/report/", reports.donor_brief, name="donor_brief"),
    path("donors/<str:code>/report.pdf", reports.donor_brief, {"as_pdf": True}, name="donor_brief_pdf"),
    path("programs/", views.ProgramListView.as_view(), name="program_list"),
    path("programs/export.csv", views.ProgramListView.as_view(), {"export": True}, name="program_list_csv"),
    path("programs/<str:code>/", views.program, name="program"),
    path("programs/<str:code>/completeness/", completeness.program_completeness, name="program_completeness"),
    path("programs/<str:code>/completeness.csv", completeness.program_completeness, {"export": True},
         name="program_completeness_csv"),
    re_path(r"^programs" + FIGURES, views.program_figures, name="program_figures"),
    path("programs/<str:code>/report/", reports.program_brief, name="program_brief"),
    path("programs/<str:code>/report.pdf", reports.program_brief, {"as_pdf": True}, name="program_brief_pdf"),
    path("teams/", teams.TeamListView.as_view(), name="team_list"),
    path("teams/export.csv", teams.TeamListView.as_view(), {"export": True}, name="team_list_csv"),
    path("teams/<str:code>/", views.team, name="team"),
    path("hospitals/", hospitals.HospitalListView.as_view(), name="hospital_list"),
    path("hospitals/export.csv", hospitals.HospitalListView.as_view(), {"export": True}, name="hospital_list_csv"),
    path("hospitals/<str:code>/", hospitals.hospital, name="hospital"),
    re_path(r"^hospitals" + FIGURES, hospitals.hospital_figures, name="hospital_figures"),
]
