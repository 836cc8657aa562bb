"""The interface language: chosen per browser, remembered per user.

Precedence, highest first:

1. the language cookie, which Django's `set_language` view sets when someone
   picks a language in the switcher (an explicit choice in this browser);
2. the signed-in user's saved language (UserPreference), copied into the
   session at sign-in so that no request pays a query for it;
3. the browser's Accept-Language header (Django's LocaleMiddleware);
4. settings.LANGUAGE_CODE.

The storage sits behind `get_user_language` / `set_user_language` so that it
can move (e.g. into an account profile) without touching the middleware.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils import translation

from aidtracker.catalogues import find_po_files, is_current

SESSION_KEY = "aidtracker_language"


def supported_language(code: str | None) -> str | None:
    """The code of settings.LANGUAGES that `code` names ("zh-Hans" → "zh-hans"), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.lower())
    except LookupError:
        return None


def get_user_language(user) -> str | None:
    """The language `user` saved, or None when they saved none (one query)."""
    from aidtracker.models import UserPreference

    if not getattr(user, "is_authenticated", False):
        return None
    saved = (
        UserPreference.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    )
    return supported_language(saved)


def set_user_language(user, code: str) -> str | None:
    """Save `code` as `user`'s language; return the saved code, None if unsupported."""
    from aidtracker.models import UserPreference

    language = supported_language(code)
    if language is None or not getattr(user, "is_authenticated", False):
        return None
    UserPreference.objects.update_or_create(user_id=user.pk, defaults={"language": language})
    return language


def remember_language_on_login(sender, request, user, **kwargs):
    """On sign-in, copy the user's saved language into the session (user_logged_in)."""
    if request is None or not hasattr(request, "session"):
        return
    language = get_user_language(user)
    if language:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)


class UserLanguageMiddleware:
    """Apply and remember a signed-in user's language.

    Goes after AuthenticationMiddleware (and after LocaleMiddleware, whose
    Accept-Language choice it overrides). With no language cookie, the
    language saved at sign-in (in the session) is activated. When a response
    sets the language cookie (Django's `set_language` view), the chosen
    language is saved for the signed-in user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            saved = supported_language(request.session.get(SESSION_KEY))
            if saved:
                translation.activate(saved)
                request.LANGUAGE_CODE = saved

        response = self.get_response(request)

        cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie is not None and cookie.value and request.user.is_authenticated:
            saved = set_user_language(request.user, cookie.value)
            if saved:
                request.session[SESSION_KEY] = saved
        return response


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
