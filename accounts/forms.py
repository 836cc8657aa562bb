"""The base of every record form: choices limited to the user's scope, an
automatic reference when none is given, the model's own validation
(ModelForm runs full_clean: field validators, clean() and constraints, so the
messages are the model's, the same the importer reports), and a scope check
of the record as it will be saved."""

import secrets

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scope
from aidtracker.lib.widgets import DateInput

SAVE_ANYWAY = "save_anyway"
CONFIRM_WARNINGS = _("Check the warnings above; tick this box to save the record as it is.")
OUT_OF_SCOPE = _(
    "You may record this only for the hospitals and teams of your programs; "
    "this record would belong to none of them."
)


def new_ref(prefix: str) -> str:
    """A fresh reference for a record entered by form: PREFIX-YYYYMMDD-xxxxxx."""
    return f"{prefix}-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3)}"


class CodeListField(forms.TypedChoiceField):
    """A model's code-list field that refuses a value outside the list in the
    model's words ("Value 5 is not a valid choice."), the importer's message."""

    def validate(self, value):
        forms.Field.validate(self, value)
        if value not in self.empty_values and not self.valid_value(value):
            try:
                shown = self.coerce(value)
            except (ValueError, TypeError):
                shown = value
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": shown}
            )


class ScopedModelForm(forms.ModelForm):
    hospital_fields: tuple = ()  # limited to scope.editable_hospitals
    program_fields: tuple = ()  # limited to scope.editable_programs
    team_fields: tuple = ()  # limited to the teams of those programs
    ref_prefix = "WEB"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in self.hospital_fields:
            self.fields[name].queryset = scope.editable_hospitals(user).order_by("name")
        for name in self.program_fields:
            self.fields[name].queryset = scope.editable_programs(user)
        for name in self.team_fields:
            teams = self.fields[name].queryset
            self.fields[name].queryset = scope.editable_queryset(user, teams).select_related("program")
        if "ref" in self.fields:
            self.fields["ref"].required = False
            self.fields["ref"].help_text = _("Your own reference; leave empty to number it automatically.")
        for name, f in self.fields.items():
            # The model's wording for a value outside a code list, as the importer reports it.
            if isinstance(f, forms.TypedChoiceField):
                try:
                    model_field = self._meta.model._meta.get_field(name)
                except FieldDoesNotExist:
                    model_field = None
                if model_field is not None:
                    f.__class__ = CodeListField
                    f.error_messages = {
                        **f.error_messages,
                        "invalid_choice": model_field.error_messages["invalid_choice"],
                    }
            if isinstance(f.widget, forms.DateInput) and not isinstance(f.widget, DateInput):
                f.widget = DateInput()
        # A record with quality warnings (the model's quality_warnings(): they
        # do not block) is saved once the user ticks this box, which the form
        # shows with the warnings after the first submit (includes/form_warnings.html).
        self.quality_warnings = []
        if hasattr(self._meta.model, "quality_warnings"):
            self.fields[SAVE_ANYWAY] = forms.BooleanField(label=_("Save anyway"), required=False)

    def clean(self):
        cleaned = super().clean()
        if "ref" in self.fields and not cleaned.get("ref") and "ref" not in self.errors:
            cleaned["ref"] = self.instance.ref or new_ref(self.ref_prefix)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if not self.errors and not scope.can_edit(self.user, self.instance):
            self.add_error(None, OUT_OF_SCOPE)
        if not self.errors and SAVE_ANYWAY in self.fields:
            self.quality_warnings = self.instance.quality_warnings()
            if self.quality_warnings and not self.cleaned_data.get(SAVE_ANYWAY):
                self.add_error(SAVE_ANYWAY, CONFIRM_WARNINGS)
