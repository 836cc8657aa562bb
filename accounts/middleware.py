"""Sign-in everywhere, and API tokens.

- `LoginRequiredMiddleware`: Django's (every view requires a signed-in user
  unless the view is decorated with
  `django.contrib.auth.decorators.login_not_required` — the sign-in page, a
  health check such as /healthz), except that an anonymous request to /api/
  gets a 401 JSON answer instead of a redirect to the sign-in page.
- `ApiTokenMiddleware`: on /api/ paths and on downloads (a GET of a .csv or
  .xlsx file: a dashboard's figures, a record list's rows;
  aidtracker.lib.downloads.is_download), `Authorization: Bearer <token>` signs
  the request in as the token's user (no session, no cookie), with the
  user's scope. A bad token is a 401 at once, so that a mistyped token is
  never mistaken for anonymous use. Elsewhere a token signs nothing in: it
  reads, never writes, through the pages.
"""

import functools
import time

from django.contrib.auth import middleware as auth_middleware
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accounts.models import ApiToken
from accounts.scope import get_scope
from aidtracker.lib.downloads import is_download

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def unauthorized(message: str) -> JsonResponse:
    response = JsonResponse(
        {"error": message}, status=401, json_dumps_params={"ensure_ascii": False}
    )
    response["WWW-Authenticate"] = 'Bearer realm="aidtracker"'
    return response


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    def handle_no_permission(self, request, view_func):
        if is_api_request(request):
            return unauthorized(
                _("Sign in, or send a personal API token: 'Authorization: Bearer <token>'.")
            )
        return super().handle_no_permission(request, view_func)


class ApiTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header and (is_api_request(request) or is_download(request)):
            scheme, _sep, clear = header.partition(" ")
            if scheme.lower() != "bearer" or not clear.strip():
                return unauthorized(_("Use 'Authorization: Bearer <token>'."))
            token = ApiToken.authenticate(clear.strip())
            if token is None:
                return unauthorized(_("This API token is unknown, revoked or expired."))
            # Record use at most once a minute: one UPDATE, not one per request.
            now = timezone.now()
            if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
                type(token).objects.filter(pk=token.pk).update(last_used_at=now)
            request.user = token.user
            request.api_token = token
            # A token is not a browser session: no CSRF cookie to protect.
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


class ReaderMiddleware:
    """Gives the request `reader()`: the parts of a cache key that name its
    reader (aidtracker/lib/cache.py keys whole pages and fragments with
    them): the user (id and the names the header shows) and their scope
    (role, regions, programs: what they may read, which links and actions
    they get). A profile is not domain data (changing it raises no data
    version), so the scope itself is in the key: a changed role or region
    applies at once. Computed only when a page is cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.reader = functools.partial(reader_of, request)
        return self.get_response(request)


def reader_of(request) -> tuple:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ("anonymous",)
    scope = get_scope(user)
    return (
        f"user:{user.pk}",
        user.get_username(),
        user.get_full_name(),
        scope.role,
        sorted(scope.regions) if scope.regions is not None else None,
        sorted(scope.programs),
        getattr(request, "api_token", None) is not None,
    )


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every answer of the application
    (static files are served before it, with their long lifetimes): pages,
    lists, exports and the API carry what the signed-in user may read, which
    no shared cache (a hospital's proxy) and no browser history may keep for
    anybody else. Every answer, not only those to a signed-in user: telling
    them apart would load the user, which an answer about a lost database
    must not try again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, private=True, no_store=True)
        return response


IDLE_KEY = "_idle_renewed"


class IdleTimeoutMiddleware:
    """An idle timeout without a database write on every request.

    A session lives SESSION_COOKIE_AGE seconds from its last save. Saving it
    on every request (SESSION_SAVE_EVERY_REQUEST) would cost an UPDATE per
    page; instead a signed-in user's session is renewed when its last renewal
    is older than SESSION_IDLE_RENEW_SECONDS (a minute), so the session ends
    between SESSION_COOKIE_AGE - 60 s and SESSION_COOKIE_AGE after the last
    request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or getattr(request, "api_token", None) is not None:
            return response
        if user is not None and user.is_authenticated and session.session_key:
            from django.conf import settings

            now = int(time.time())
            if now - session.get(IDLE_KEY, 0) >= settings.SESSION_IDLE_RENEW_SECONDS:
                session[IDLE_KEY] = now  # marks the session modified: saved, cookie renewed
        return response


def mark_renewed_on_login(sender, request, user, **kwargs):
    """A fresh sign-in counts as a renewal (no second save on the next page)."""
    if getattr(request, "session", None) is not None:
        request.session[IDLE_KEY] = int(time.time())
