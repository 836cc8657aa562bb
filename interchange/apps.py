from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    """Import and export of interchange-format bundles (spec: interchange v1)."""

    name = "interchange"
    verbose_name = _("Import and export")
