"""Root URLs."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("dashboards.urls")),
    path("", include("outcomes.urls")),
    path("", include("deployments.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("aidtracker.api")),
]
