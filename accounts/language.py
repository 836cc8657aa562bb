"""A signed-in user's language: saved on their profile, brought back at sign-in
(the precedence of the interface language is in aidtracker/lib/i18n.py)."""

from django.conf import settings

from accounts.models import Profile, Role
from aidtracker.lib.i18n import set_language_cookie, supported_language

# Where remember_language_on_login leaves the saved language for the middleware.
LOGIN_LANGUAGE_ATTR = "_aidtracker_login_language"


def get_user_language(user) -> str | None:
    """The language `user` saved (their profile's), or None when they saved none (one query)."""
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
