from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcomes")

    def ready(self):
        # Imported here, not at the top: the rollups import the models, which
        # cannot be imported before the app registry is ready.
        from outcomes import rollups

        rollups.connect()
