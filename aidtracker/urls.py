"""Root URLs."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
    # Django's set_language view (POST language + next), used by the switcher
    # in templates/includes/language_switcher.html.
    path("i18n/", include("django.conf.urls.i18n")),
]
