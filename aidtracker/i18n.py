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

The saved language is the account profile's `language` (accounts.models.Profile),
read and written only through `get_user_language` / `set_user_language`.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils import translation

from aidtracker.catalogues import find_po_files, is_current

# Where remember_language_on_login leaves the saved language for the middleware.
LOGIN_LANGUAGE_ATTR = "_aidtracker_login_language"


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


def region_names(codes) -> dict[str, str]:
    """code → the region's name in the active language, for rows that carry a
    region's code and English name only (the summary's `by_donor`). One query
    in the Chinese interface; none in English, where the rows' names serve."""
    from hospitals.models import Region

    codes = list(codes)
    if not codes or not is_chinese():
        return {}
    return {
        code: name_zh or name
        for code, name, name_zh in Region.objects.filter(code__in=codes).values_list(
            "code", "name", "name_zh"
        )
    }


def get_user_language(user) -> str | None:
    """The language `user` saved (their profile's), or None when they saved none (one query)."""
    from accounts.models import Profile

    if not getattr(user, "is_authenticated", False):
        return None
    saved = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return supported_language(saved)


def set_user_language(user, code: str) -> str | None:
    """Save `code` as `user`'s language; return the saved code, None if unsupported.

    An UPDATE of the one column: Profile.save() also syncs the user's admin
    flags from the role, which a language choice has no business doing, and
    the profile's history is for who may do what, not for a display setting.
    """
    from accounts.models import Profile, Role

    language = supported_language(code)
    if language is None or not getattr(user, "is_authenticated", False):
        return None
    if not Profile.objects.filter(user_id=user.pk).update(language=language):
        # Every user gets a profile when saved (accounts.models.sync_profile_from_user);
        # one made before that rule existed gets it the same way here.
        Profile.objects.get_or_create(
            user=user,
            defaults={"role": Role.ADMIN if user.is_superuser else Role.VIEWER, "language": language},
        )
    return language


def remember_language_on_login(sender, request, user, **kwargs):
    """On sign-in, note the user's saved language for UserLanguageMiddleware (user_logged_in)."""
    if request is None:
        return
    language = get_user_language(user)
    if language:
        setattr(request, LOGIN_LANGUAGE_ATTR, language)


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


class UserLanguageMiddleware:
    """Remember a signed-in user's language, and bring it back at sign-in.

    Goes after AuthenticationMiddleware. Works on responses only:

    - a response that sets the language cookie (Django's `set_language`
      view) saves the chosen language for the signed-in user;
    - the response to a sign-in (see remember_language_on_login) sets the
      language cookie to the user's saved language, unless this browser
      already has a language cookie: an explicit choice here stands.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)

        chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen is not None and chosen.value:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                set_user_language(user, chosen.value)
        else:
            saved = getattr(request, LOGIN_LANGUAGE_ATTR, None)
            if saved and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                set_language_cookie(response, saved)
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
