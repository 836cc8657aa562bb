from django.utils.functional import SimpleLazyObject


def role(request):
    """`user_role` (code) and `user_role_label` for templates; computed only when used."""
    from accounts import scope

    user = getattr(request, "user", None)
    return {
        "user_role": SimpleLazyObject(lambda: scope.role_of(user) or ""),
        "user_role_label": SimpleLazyObject(lambda: scope.role_label(user)),
    }
