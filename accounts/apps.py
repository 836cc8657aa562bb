from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("accounts and access")

    def ready(self):
        # Imported here, not at the top: these modules import the models,
        # which cannot be imported before the app registry is ready.
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from accounts.language import remember_language_on_login
        from accounts.middleware import mark_renewed_on_login
        from accounts.models import sync_profile_from_user

        post_save.connect(sync_profile_from_user, sender=get_user_model(), dispatch_uid="accounts.sync")
        user_logged_in.connect(mark_renewed_on_login, dispatch_uid="accounts.idle")
        user_logged_in.connect(remember_language_on_login, dispatch_uid="aidtracker-language")
