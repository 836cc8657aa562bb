"""When the database goes away: a clear 503 page, and recovery by itself.

Django closes a connection that raised a database error at the end of the
request, and CONN_HEALTH_CHECKS makes a kept connection be checked before it
is used again, so the first request after the database returns gets a fresh
connection: nothing here needs to reconnect by hand.

Database errors raised by a view (or its template) reach the middleware's
`process_exception`. Errors raised by another middleware (the session or
sign-in check) never do: Django turns them into a 500 response on the spot,
so `server_error`, the project's handler500, looks at the exception being
handled and answers 503 for the database's errors too.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exc) -> bool:
    """Return whether `exc` means the database cannot be reached (not a bug)."""
    return isinstance(exc, DATABASE_ERRORS)


def unavailable_response(request) -> HttpResponse:
    """Return the 503 page; rendering it never touches the database."""
    try:
        body = loader.render_to_string("503.html", request=request)
    except Exception:  # noqa: BLE001 - the last resort must answer anyway
        body = "<!doctype html><title>503</title><h1>Service unavailable</h1>"
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        response = JsonResponse({"error": "database_unavailable"}, status=503)
    else:
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 instead of a 500 traceback when a view loses the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            logger.error("database unavailable: %s", exception)
            return unavailable_response(request)
        return None


def server_error(request, template_name="500.html"):
    """handler500: 503 when the error being handled is the database's."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_unavailable(exc):
        return unavailable_response(request)
    return django_server_error(request, template_name=template_name)
