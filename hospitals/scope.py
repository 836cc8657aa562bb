"""What a request may read, one function per model.

Every page and list takes its rows from these functions, so narrowing by the
signed-in user's scope (issue 5, `accounts.scope.scope_queryset`) happens here
and nowhere else. The domain models never import accounts; these view-side
modules may.
"""

from accounts.scope import scope_queryset
from hospitals.models import Hospital, Region


def regions(request):
    return scope_queryset(request.user, Region.objects.all())


def hospitals(request):
    return scope_queryset(request.user, Hospital.objects.all())
