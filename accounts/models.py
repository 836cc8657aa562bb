"""Who may do what: a profile (role and scope) per user, and API tokens.

The role *admin* is Django's superuser flag; the profile's `role` mirrors it
(saving a profile with role admin makes the user a superuser and staff, and
any other role takes both away; creating a superuser gives it role admin).
Scope is read through `accounts.scope`, never from these fields directly.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audit.models import HistoryBase
from hospitals.models import Region


def language_choices():
    """settings.LANGUAGES, read when used: adding a language needs no migration."""
    return settings.LANGUAGES


class Role(models.TextChoices):
    ADMIN = "admin", _("admin")
    COORDINATOR = "coordinator", _("coordinator")
    OFFICIAL = "official", _("official")
    VIEWER = "viewer", _("viewer")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="profile",
    )
    # Least privilege by default: a new account sees the dashboards only.
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    programs = models.ManyToManyField(
        # By label: accounts lies below the deployments app it refers to.
        "deployments.Program", verbose_name=_("programs"), blank=True, related_name="+",
        help_text=_("Coordinators: the programs whose records they create, edit and delete."),
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), blank=True, related_name="+",
        help_text=_(
            "Officials and viewers: the regions they may read (each with everything below it). "
            "None, and not every region: nothing."
        ),
    )
    # Reading everything is a choice made on purpose: an official or viewer
    # with no regions and without it reads nothing (scope fails closed).
    all_regions = models.BooleanField(
        _("every region"), default=False,
        help_text=_("Officials and viewers: read every region, whatever regions are listed."),
    )
    language = models.CharField(
        _("preferred language"), max_length=16, choices=language_choices, blank=True,
        help_text=_("Empty: the browser's language."),
    )

    history = HistoricalRecords(bases=[HistoryBase], m2m_fields=[programs, regions])

    class Meta:
        verbose_name = _("role and scope")
        verbose_name_plural = _("roles and scope")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        is_admin = self.role == Role.ADMIN
        user = self.user
        if user.is_superuser != is_admin or user.is_staff != is_admin:
            type(user).objects.filter(pk=user.pk).update(is_superuser=is_admin, is_staff=is_admin)
            user.is_superuser = user.is_staff = is_admin


def sync_profile_from_user(sender, instance, created, raw=False, **kwargs):
    """Give every user a profile; a superuser's role is admin."""
    if raw:
        return
    profile, made = Profile.objects.get_or_create(
        user=instance, defaults={"role": Role.ADMIN if instance.is_superuser else Role.VIEWER}
    )
    if not made and instance.is_superuser and profile.role != Role.ADMIN:
        Profile.objects.filter(pk=profile.pk).update(role=Role.ADMIN)
        instance.profile.role = Role.ADMIN


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 (tokens are 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        now = timezone.now()
        return self.filter(revoked=False).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token an admin issues; only its hash is stored."""

    PREFIX = "aid_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    # The first characters, so that a person can tell their tokens apart.
    hint = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+", editable=False,
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("revoked"), default=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    def set_new_key(self) -> str:
        """Give the token a fresh random key; return it in clear (to show once)."""
        clear = self.PREFIX + secrets.token_urlsafe(32)
        self.key_hash, self.hint = hash_token(clear), clear[:12]
        return clear

    @classmethod
    def issue(cls, *, user, name, created_by=None, expires_at=None):
        """Create a token; return (token object, the token in clear, shown once)."""
        token = cls(user=user, name=name, created_by=created_by, expires_at=expires_at)
        clear = token.set_new_key()
        token.save()
        return token, clear

    @classmethod
    def authenticate(cls, clear: str):
        """The active token with this clear text (its user loaded), or None."""
        token = (
            cls.objects.active().select_related("user__profile").filter(key_hash=hash_token(clear)).first()
        )
        if token is None or not token.user.is_active:
            return None
        return token
