from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("accounts and access")

    def connect_signals(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from accounts.models import sync_profile_from_user

        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import mark_renewed_on_login

        post_save.connect(sync_profile_from_user, sender=get_user_model(), dispatch_uid="accounts.sync")
        user_logged_in.connect(mark_renewed_on_login, dispatch_uid="accounts.idle")

    def ready(self):
        self.connect_signals()
