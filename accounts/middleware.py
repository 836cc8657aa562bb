"""Sign-in everywhere, and API tokens.

- `LoginRequiredMiddleware`: Django's (every view requires a signed-in user
  unless the view is decorated with
  `django.contrib.auth.decorators.login_not_required` — the sign-in page, a
  health check such as /healthz), except that an anonymous request to /api/
  gets a 401 JSON answer instead of a redirect to the sign-in page.
- `ApiTokenMiddleware`: on /api/ paths, `Authorization: Bearer <token>` signs
  the request in as the token's user (no session, no cookie). A bad token is a
  401 at once, so that a mistyped token is never mistaken for anonymous use.
"""

from django.contrib.auth import middleware as auth_middleware
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def unauthorized(message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=401)
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
        if header and is_api_request(request):
            from accounts.models import ApiToken

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
