"""Security helpers that other parts call."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def client_ip(request) -> str | None:
    """The client's address, for sign-in lockout (django-axes'
    AXES_CLIENT_IP_CALLABLE): the connection's own address, or, when the
    connection comes from a trusted proxy (settings.TRUSTED_PROXIES), the
    last address of X-Forwarded-For: the one that proxy appended (nginx's
    $proxy_add_x_forwarded_for); the entries before it are whatever the
    client claimed. django-ipware is not used: it prefers a publicly
    routable entry to the last one, so a forged public address in front of
    a hospital's private client would win, and one unreadable entry makes it
    give up, which would lock out everybody behind the proxy at once."""
    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote in settings.TRUSTED_PROXIES and forwarded:
        last = forwarded.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            pass  # the proxy itself would never write this: not a client address
    return remote


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024


def check_upload_size(uploaded_file):
    """Raise ValidationError (code 'upload_too_large') when an uploaded import
    file is larger than IMPORT_MAX_UPLOAD_MB; return the file otherwise."""
    limit = max_upload_bytes()
    size = getattr(uploaded_file, "size", None) or 0
    if size > limit:
        raise ValidationError(
            _(
                "The file %(name)s is %(size)s; imports are limited to %(limit)s. "
                "Split the bundle into smaller files, or ask an administrator to raise "
                "IMPORT_MAX_UPLOAD_MB."
            ),
            code="upload_too_large",
            params={
                "name": getattr(uploaded_file, "name", "") or _("(unnamed)"),
                "size": filesizeformat(size),
                "limit": filesizeformat(limit),
            },
        )
    return uploaded_file
