"""The JSON API's addresses, mounted under /api/v1/ (api/views.py documents them)."""

from django.urls import path, re_path

from api import views

app_name = "api"

urlpatterns = [
    path("whoami", views.whoami, name="whoami"),
    path("regions/", views.regions, name="regions"),
    path("regions", views.regions),
    path("regions/<str:code>/summary", views.summary, name="region-summary"),
    path("regions/<str:code>/summary/", views.summary),
    path("regions/<str:code>/series", views.series, name="region-series"),
    path("regions/<str:code>/series/", views.series),
    path("donors/", views.donors, name="donors"),
    path("donors", views.donors),
    path("donors/<str:code>/summary", views.donor, name="donor-summary"),
    path("donors/<str:code>/summary/", views.donor),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
