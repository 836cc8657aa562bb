"""Requests refused before any view runs.

`RefuseNulMiddleware`: a NUL character has no meaning in any address,
parameter or form field of this application, and PostgreSQL refuses it in
any text it is given (a server error where a filter or a code reached a
query): a request that carries one in its path, query string or form data
is answered 400, saying so (JSON on the API, as every API answer)."""

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def carries_nul(request) -> bool:
    if NUL in request.path:
        return True
    if any(NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()):
        return True
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        return any(
            NUL in key or any(NUL in value for value in values) for key, values in request.POST.lists()
        )
    return False


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if carries_nul(request):
            message = _("The address or the form holds a NUL character, which nothing here accepts.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})
            raise BadRequest(message)
        return self.get_response(request)
