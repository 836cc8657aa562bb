"""Root URLs."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("dashboards.urls")),
    path("", include("outcomes.urls")),
    path("", include("deployments.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("aidtracker.api")),
    # Django's set_language view (POST language + next), used by the switcher
    # in templates/includes/language_switcher.html; open to everyone, since
    # the sign-in page must be readable in the reader's language too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
