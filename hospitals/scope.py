"""What a request may read, one function per model.

Every page and list takes its rows from these functions, so narrowing by the
signed-in user's scope (issue 5) happens here and nowhere else.
"""

from hospitals.models import Hospital, Region


def regions(request):
    return Region.objects.all()


def hospitals(request):
    return Hospital.objects.all()
