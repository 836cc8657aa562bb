from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeploymentsConfig(AppConfig):
    name = "deployments"
    verbose_name = _("Deployments")

    def ready(self):
        # Imported here, not at the top: the rollups import the models, which
        # cannot be imported before the app registry is ready.
        from deployments import coverage, rollups

        rollups.connect()
        coverage.connect()
