"""django-axes' backend, tolerant of calls without a request.

Every sign-in form (ours and the admin's) passes the request, so lockout
applies to all of them. Only code that authenticates without a request (the
test client's `login()`, a management command) skips the lockout check and
falls through to Django's ModelBackend, instead of failing with
AxesBackendRequestParameterRequired."""

from axes.backends import AxesStandaloneBackend


class AxesBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
