"""Security helpers that other parts call."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


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
