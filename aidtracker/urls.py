"""Root URLs."""

from django.contrib import admin
from django.urls import path
from django.views.generic import TemplateView

from aidtracker.views import healthz

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

# A lost database answers 503 even when a middleware, not a view, met it.
handler500 = "aidtracker.failures.server_error"
