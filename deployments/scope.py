"""What a request may read, one function per model (see hospitals/scope.py)."""

from deployments.models import Person, Program, Rotation, Team, Twinning


def programs(request):
    return Program.objects.all()


def twinnings(request):
    return Twinning.objects.all()


def teams(request):
    return Team.objects.all()


def people(request):
    return Person.objects.all()


def rotations(request):
    return Rotation.objects.all()
