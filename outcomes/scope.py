"""What a request may read, one function per model (see hospitals/scope.py)."""

from outcomes.models import (
    Consultation,
    IndicatorValue,
    Referral,
    Surgery,
    Technique,
    Training,
)


def surgeries(request):
    return Surgery.objects.all()


def trainings(request):
    return Training.objects.all()


def techniques(request):
    return Technique.objects.all()


def referrals(request):
    return Referral.objects.all()


def consultations(request):
    return Consultation.objects.all()


def indicator_values(request):
    return IndicatorValue.objects.all()
