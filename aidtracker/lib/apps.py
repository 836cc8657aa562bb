from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AidtrackerConfig(AppConfig):
    """The foundation's app: the data version's model and migration, the
    template tags, the commands that need no app (backup, restore,
    compile_catalogues)."""

    name = "aidtracker.lib"
    # The label of the project package, where this app's model and migration
    # began: the data version's table and migration history keep their names.
    label = "aidtracker"
    verbose_name = _("Aidtracker")

    def ready(self):
        # Imported here, not at the top: cache.py uses this app's model,
        # which cannot be imported before the app registry is ready.
        from aidtracker.lib import cache, converters, i18n

        cache.connect_signals()
        converters.register()
        checks.register(i18n.check_catalogues_compiled, checks.Tags.translation)
