"""What spans the apps: the user's saved interface language."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    """A signed-in user's saved choices; read and written through aidtracker.i18n."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preference",
    )
    # A code of settings.LANGUAGES ("en", "zh-hans"); no `choices` here so that
    # adding a language needs no migration. set_user_language() validates it.
    language = models.CharField(_("interface language"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self):
        return f"{self.user} ({self.language or '-'})"
