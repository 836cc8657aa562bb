"""The interface language: chosen per browser, remembered per user.

Precedence, highest first:

1. the language cookie, set by Django's `set_language` view when someone picks
   a language in the switcher (an explicit choice in this browser), and at
   sign-in from the user's saved language when the browser had no cookie yet;
2. the browser's Accept-Language header (Django's LocaleMiddleware);
3. settings.LANGUAGE_CODE.

So a user's saved language follows them to any browser where they sign in,
and no request pays anything for it: the choice travels in the cookie, not in
a per-request lookup of the user or the session.

The saved language is the account profile's `language`, read and written by
accounts/language.py; this module holds what needs no user.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils import translation

from aidtracker.lib.catalogues import find_po_files, is_current


def supported_language(code: str | None) -> str | None:
    """The code of settings.LANGUAGES that `code` names ("zh-Hans" → "zh-hans"), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.lower())
    except LookupError:
        return None


def is_chinese(language: str | None = None) -> bool:
    """True when `language` (by default the active one) is a Chinese interface."""
    return (language or translation.get_language() or "").lower().startswith("zh")


def set_language_cookie(response, language: str) -> None:
    """Set the language cookie as Django's set_language view does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def check_catalogues_compiled(app_configs=None, **kwargs):
    """Warn when a .po catalogue has no current .mo (the interface would stay English)."""
    stale = [po for po in find_po_files(settings.LOCALE_PATHS) if not is_current(po)]
    if not stale:
        return []
    return [
        checks.Warning(
            f"Translation catalogue {po} is not compiled or its .mo is older than the .po.",
            hint="Run `python manage.py compile_catalogues` (make run and make test do).",
            id="aidtracker.W001",
        )
        for po in stale
    ]
