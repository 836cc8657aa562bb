from django.utils.functional import SimpleLazyObject

from accounts import scope


def role(request):
    """`user_role` (code) and `user_role_label` for templates; computed only when used."""
    user = getattr(request, "user", None)
    return {
        "user_role": SimpleLazyObject(lambda: scope.role_of(user) or ""),
        "user_role_label": SimpleLazyObject(lambda: scope.role_label(user)),
        # May open lists, exports, record pages and the API (not viewers):
        # templates leave out the links to them otherwise.
        "user_reads_records": SimpleLazyObject(lambda: scope.can_read_records(user)),
        # May open a create form (an admin, or a coordinator with programs).
        "user_can_create": SimpleLazyObject(lambda: scope.can_create(user)),
    }
