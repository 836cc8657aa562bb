"""What a request may read, one function per model (see hospitals/scope.py)."""

from accounts.scope import scope_queryset
from deployments.models import Person, Program, Rotation, Team, Twinning


def programs(request):
    return scope_queryset(request.user, Program.objects.all())


def twinnings(request):
    return scope_queryset(request.user, Twinning.objects.all())


def teams(request):
    return scope_queryset(request.user, Team.objects.all())


def people(request):
    return scope_queryset(request.user, Person.objects.all())


def rotations(request):
    return scope_queryset(request.user, Rotation.objects.all())
