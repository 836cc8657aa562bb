"""Coordinator forms for the outcome records. Validation is the model's
(full_clean: validators, clean(), constraints) so messages match the
importer's; choices are limited to the user's scope (accounts.forms)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scope
from accounts.forms import ScopedModelForm
from hospitals.models import Hospital
from aidtracker.lib.periods import month_start
from outcomes.models import Consultation, IndicatorValue, Referral, Surgery, Technique, Trainee, Training
from outcomes.rules import trainee_name_disagrees

SURGERY_MEMORY = "surgery_form_last"  # session key: last hospital, specialty and team used


class SurgeryForm(ScopedModelForm):
    """The most frequent task: a compact form, the keyboard's order, today's
    date, and the last hospital, specialty and team used already chosen."""

    hospital_fields = ("hospital",)
    team_fields = ("team",)
    ref_prefix = "S"

    class Meta:
        model = Surgery
        fields = [
            "date", "hospital", "specialty", "team",
            "procedure", "grade", "approach", "lead", "outcome", "blood_loss_ml",
            "demonstration", "first_in_region", "ref",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.initial.get("hospital"):
            hospitals = list(self.fields["hospital"].queryset.values_list("code", flat=True)[:2])
            if len(hospitals) == 1:  # a coordinator of one hospital: nothing to choose
                self.initial["hospital"] = hospitals[0]
        # Focus the first field still to choose: the hospital and specialty on
        # the first surgery, the procedure once they are remembered.
        focus = "procedure"
        if not self.instance.pk:
            focus = next((n for n in ("hospital", "specialty") if not self.initial.get(n)), "procedure")
        self.fields[focus].widget.attrs["autofocus"] = True
        self.fields["procedure"].widget.attrs.update({"autocomplete": "off", "size": 40})
        self.fields["blood_loss_ml"].widget.attrs["inputmode"] = "numeric"

    GROUPS = {
        "where": ["date", "hospital", "specialty", "team"],
        "operation": ["procedure", "grade", "approach", "lead", "outcome", "blood_loss_ml"],
        "details": ["demonstration", "first_in_region", "ref"],
    }

    def group(self, name):
        return [self[field] for field in self.GROUPS[name]]

    @property
    def where_fields(self):
        return self.group("where")

    @property
    def operation_fields(self):
        return self.group("operation")

    @property
    def detail_fields(self):
        return self.group("details")

    @classmethod
    def initial_for(cls, request):
        """Today, success, and the hospital, specialty and team last used (if still in scope)."""
        initial = {"date": timezone.localdate(), "outcome": Surgery.Outcome.SUCCESS}
        initial.update(request.session.get(SURGERY_MEMORY, {}))
        return initial

    @staticmethod
    def remember(request, surgery):
        request.session[SURGERY_MEMORY] = {
            "hospital": surgery.hospital_id,
            "specialty": surgery.specialty_id,
            "team": surgery.team_id or "",
        }


class TrainingForm(ScopedModelForm):
    """A training and its trainee: the trainee is created, or updated (hospital
    and role) when the ID exists and the name agrees."""

    program_fields = ("program",)
    ref_prefix = "TR"

    trainee_code = forms.CharField(label=_("trainee ID"), max_length=64)
    trainee_name = forms.CharField(label=_("trainee name"), max_length=100)
    trainee_hospital = forms.ModelChoiceField(
        label=_("trainee's hospital"), queryset=Hospital.objects.none()
    )
    trainee_role = forms.ChoiceField(label=_("trainee's role"), choices=Trainee.Role.choices)

    class Meta:
        model = Training
        fields = [
            "trainee_code", "trainee_name", "trainee_hospital", "trainee_role",
            "specialty", "kind", "host_hospital", "program", "start_date", "end_date",
            "hours", "status", "independent_on", "skill", "ref",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee_hospital"].queryset = scope.editable_hospitals(self.user).order_by("name")
        if self.instance.pk:
            trainee = self.instance.trainee
            self.fields["trainee_code"].disabled = True
            self.initial.update({
                "trainee_code": trainee.code, "trainee_name": trainee.name,
                "trainee_hospital": trainee.hospital_id, "trainee_role": trainee.role,
            })
        self.fields["trainee_code"].widget.attrs["autofocus"] = True
        self.trainee = None

    def clean(self):
        cleaned = super().clean()
        code, name = cleaned.get("trainee_code"), cleaned.get("trainee_name")
        hospital, role = cleaned.get("trainee_hospital"), cleaned.get("trainee_role")
        if not (code and name and hospital and role):
            return cleaned
        trainee = Trainee.objects.filter(code=code).first()
        message = trainee_name_disagrees(trainee, name)
        if message:
            self.add_error("trainee_name", message)
            return cleaned
        if trainee is None:
            trainee = Trainee(code=code, name=name)
        elif not scope.can_edit(self.user, trainee):
            self.add_error("trainee_code", _(
                "Trainee %(code)s belongs to %(hospital)s, which is not a hospital of your programs."
            ) % {"code": code, "hospital": trainee.hospital})
            return cleaned
        trainee.hospital, trainee.role = hospital, role
        try:
            trainee.full_clean(validate_unique=False)
        except forms.ValidationError as e:
            for field, messages in e.message_dict.items():
                self.add_error(f"trainee_{field}" if f"trainee_{field}" in self.fields else None, messages)
            return cleaned
        self.trainee = trainee
        self.instance.trainee = trainee
        return cleaned

    def save(self, commit=True):
        if self.trainee is not None:
            self.trainee.save()
            self.instance.trainee = self.trainee
        return super().save(commit)


class TechniqueForm(ScopedModelForm):
    hospital_fields = ("hospital",)
    program_fields = ("program",)
    ref_prefix = "TQ"

    class Meta:
        model = Technique
        fields = ["name", "hospital", "specialty", "introduced_on", "program", "first_in_region", "ref"]


class ReferralForm(ScopedModelForm):
    """Origin and destination are each a hospital, a region or (origin of an
    international patient) a country code; the kind decides which (model rule).
    One end must be a hospital of the coordinator's programs."""

    ref_prefix = "RF"

    class Meta:
        model = Referral
        fields = [
            "date", "kind", "origin_hospital", "origin_region", "origin_country",
            "destination_hospital", "destination_region", "age_group",
            "distance_km", "duration_hours", "outcome", "ref",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("origin_hospital", "destination_hospital"):
            self.fields[name].queryset = Hospital.objects.order_by("name")


class ConsultationForm(ScopedModelForm):
    hospital_fields = ("requesting_hospital",)
    ref_prefix = "C"

    class Meta:
        model = Consultation
        fields = ["date", "requesting_hospital", "consulting_hospital", "specialty", "mode", "ref"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consulting_hospital"].queryset = Hospital.objects.order_by("name")


class IndicatorMonthChoice(forms.Form):
    """The month of the monthly indicator form (YYYY-MM): one that has begun."""

    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        error_messages={"invalid": _("Enter the month as YYYY-MM, e.g. 2024-05.")},
    )

    def clean_month(self):
        month = month_start(self.cleaned_data["month"])
        current = month_start(timezone.localdate())
        if month > current:
            raise forms.ValidationError(
                _("%(month)s has not begun: indicators are entered for the current month (%(current)s) "
                  "or an earlier one."),
                params={"month": f"{month:%Y-%m}", "current": f"{current:%Y-%m}"},
                code="future",
            )
        return month


class IndicatorMonthForm(forms.Form):
    """Every monthly indicator of one hospital for one month, in one form:
    a field per indicator of the contract's code list, blank for not
    reported (a value cleared is removed). Values are counts or rates, never
    negative (the model's own rule)."""

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}  # {indicator code: its Decimal value this month}
        for code, label in IndicatorValue.Indicator.choices:
            value = current.get(code)
            self.fields[code] = forms.DecimalField(
                label=label, required=False, min_value=0, max_digits=14, decimal_places=2,
                initial=value,
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            )

    def values(self) -> dict:
        """{indicator code: Decimal or None}, from the cleaned data."""
        return {code: self.cleaned_data.get(code) for code in self.fields}
