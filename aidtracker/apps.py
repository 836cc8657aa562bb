from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidtrackerConfig(AppConfig):
    name = "aidtracker"
    verbose_name = _("Aidtracker")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from aidtracker import cache, i18n

        cache.connect_signals()
        user_logged_in.connect(i18n.remember_language_on_login, dispatch_uid="aidtracker-language")
        checks.register(i18n.check_catalogues_compiled, checks.Tags.translation)
