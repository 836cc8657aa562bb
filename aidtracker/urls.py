"""Root URLs.

Every view requires sign-in (accounts.middleware.LoginRequiredMiddleware);
mark a public view, such as a /healthz check, with
django.contrib.auth.decorators.login_not_required.
"""

from django.contrib import admin
from django.urls import include, path

from accounts.views import recent_changes, whoami
from aidtracker.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("dashboards.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("outcomes.urls")),
    path("", include("deployments.urls")),
    # Before admin.site.urls so the admin's catch-all does not take it.
    path("admin/recent-changes/", recent_changes, name="recent_changes"),
    path("admin/", admin.site.urls),
    path("api/v1/whoami", whoami, name="api_whoami"),
    path("api/v1/", include("aidtracker.api")),
    path("import/", include("interchange.urls")),
]

# A lost database answers 503 even when a middleware, not a view, met it.
handler500 = "aidtracker.failures.server_error"
