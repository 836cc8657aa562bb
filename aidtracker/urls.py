"""Root URLs."""

from django.contrib import admin
from django.urls import include, path

from aidtracker.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("dashboards.urls")),
    path("", include("outcomes.urls")),
    path("", include("deployments.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("aidtracker.api")),
]

# A lost database answers 503 even when a middleware, not a view, met it.
handler500 = "aidtracker.failures.server_error"
