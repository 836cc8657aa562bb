"""Root URLs.

Every view requires sign-in (accounts.middleware.LoginRequiredMiddleware);
mark a public view, such as a /healthz check, with
django.contrib.auth.decorators.login_not_required.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from aidtracker.lib.health import healthz
from records.history import recent_changes


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for where a page names no icon (a
    JSON answer, an export): the site's icon. Not permanent: its hashed
    address changes with the file."""

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", login_not_required(FaviconView.as_view()), name="favicon"),
    path("", include("dashboards.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("outcomes.urls")),
    path("", include("deployments.urls")),
    # Before admin.site.urls so the admin's catch-all does not take it.
    path("admin/recent-changes/", recent_changes, name="recent_changes"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("import/", include("interchange.urls")),
    # Django's set_language view (POST language + next), used by the switcher
    # in templates/includes/language_switcher.html; open to everyone, since
    # the sign-in page must be readable in the reader's language too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]

# A lost database answers 503 even when a middleware, not a view, met it.
handler500 = "aidtracker.lib.failures.server_error"
