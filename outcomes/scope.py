"""What a request may read, one function per model (see hospitals/scope.py)."""

from accounts.scope import scope_queryset
from outcomes.models import (
    Consultation,
    IndicatorValue,
    Referral,
    Surgery,
    Technique,
    Training,
)


def surgeries(request):
    return scope_queryset(request.user, Surgery.objects.all())


def trainings(request):
    return scope_queryset(request.user, Training.objects.all())


def techniques(request):
    return scope_queryset(request.user, Technique.objects.all())


def referrals(request):
    return scope_queryset(request.user, Referral.objects.all())


def consultations(request):
    return scope_queryset(request.user, Consultation.objects.all())


def indicator_values(request):
    return scope_queryset(request.user, IndicatorValue.objects.all())
