"""django-axes' backend, tolerant of calls without a request.

Every sign-in form (ours and the admin's) passes the request, so lockout
applies to all of them. Only code that authenticates without a request (the
test client's `login()`, a management command) skips the lockout check and
falls through to Django's ModelBackend, instead of failing with
AxesBackendRequestParameterRequired."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class AxesBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in user with their profile in one query (every page asks for the role)."""
        return _get_user_with_profile(user_id)


def _get_user_with_profile(user_id):
    """The user with their profile in one query: every page asks for the role."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    try:
        user = User._default_manager.select_related("profile").get(pk=user_id)
    except User.DoesNotExist:
        return None
    # As ModelBackend.user_can_authenticate: inactive users are signed out.
    return user if getattr(user, "is_active", True) else None


class ProfileModelBackend(ModelBackend):
    """Django's ModelBackend whose get_user() loads the profile with the user."""

    def get_user(self, user_id):
        return _get_user_with_profile(user_id)
