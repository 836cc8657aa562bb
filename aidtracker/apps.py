from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidtrackerConfig(AppConfig):
    name = "aidtracker"
    verbose_name = _("Aidtracker")

    def ready(self):
        from aidtracker import cache

        cache.connect_signals()
