"""Coordinator form for rotations: the team is one of the user's programs';
the person is created, or updated (home hospital) when the ID exists and the
name agrees, and, for a coordinator, when nobody else's program has them:
a person with a rotation outside the coordinator's programs is described by
an admin or those programs' coordinators. Validation is the model's,
messages the importer's."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import scope
from accounts.forms import ScopedModelForm
from accounts.models import Profile, Role
from deployments.models import Person, Rotation
from deployments.rules import person_name_disagrees
from hospitals.models import Hospital


class RotationForm(ScopedModelForm):
    team_fields = ("team",)

    person_code = forms.CharField(label=_("person ID"), max_length=64)
    person_name = forms.CharField(label=_("name"), max_length=100)
    person_home_hospital = forms.ModelChoiceField(
        label=_("home hospital"), queryset=Hospital.objects.order_by("name")
    )

    class Meta:
        model = Rotation
        fields = [
            "person_code", "person_name", "person_home_hospital",
            "team", "specialty", "title", "role", "start_date", "end_date",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            person = self.instance.person
            self.initial.update({
                "person_code": person.code, "person_name": person.name,
                "person_home_hospital": person.home_hospital_id,
            })
        self.fields["person_code"].widget.attrs["autofocus"] = True
        self.person = None

    def clean(self):
        cleaned = super().clean()
        code, name = cleaned.get("person_code"), cleaned.get("person_name")
        hospital = cleaned.get("person_home_hospital")
        if not (code and name and hospital):
            return cleaned
        person = Person.objects.filter(code=code).first()
        message = person_name_disagrees(person, name)
        if message:
            self.add_error("person_name", message)
            return cleaned
        if person is None:
            person = Person(code=code, name=name)
        elif person.home_hospital_id != hospital.pk:
            refusal = self._not_yours_to_describe(person)
            if refusal:
                self.add_error("person_home_hospital", refusal)
                return cleaned
        person.home_hospital = hospital
        try:
            person.full_clean(validate_unique=False)
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                target = {"code": "person_code", "name": "person_name",
                          "home_hospital": "person_home_hospital"}.get(field)
                self.add_error(target, messages)
            return cleaned
        self.person = person
        self.instance.person = person
        return cleaned

    def _not_yours_to_describe(self, person):
        """Why the user may not change `person` (their home hospital applies
        wherever they serve), or None: an admin may; a coordinator may when
        every rotation of the person is in one of their programs."""
        if scope.is_admin(self.user):
            return None
        mine = scope.editable_programs(self.user).values("code")
        others = sorted(set(
            Rotation.objects.filter(person=person).exclude(team__program__in=mine)
            .values_list("team__program", flat=True)
        ))
        if not others:
            return None
        coordinators = sorted({
            profile.user.get_full_name() or profile.user.get_username()
            for profile in Profile.objects.filter(role=Role.COORDINATOR, programs__in=others)
            .select_related("user")
        })
        who = ", ".join(coordinators) if coordinators else _("an admin")
        return _(
            "%(person)s also serves with %(programs)s, outside your programs, and works at "
            "%(hospital)s for all of them: ask %(who)s to change that, or keep %(hospital)s here."
        ) % {"person": person, "programs": ", ".join(others), "hospital": person.home_hospital, "who": who}

    def _post_clean(self):
        super()._post_clean()
        # `person` is not a form field, so ModelForm skipped the constraints
        # that name it (one rotation per person and team); check them too.
        if not self.errors and self.person is not None:
            try:
                self.instance.validate_constraints(
                    exclude=self._get_validation_exclusions() - {"person"}
                )
            except ValidationError as e:
                self._update_errors(e)

    def save(self, commit=True):
        if self.person is not None:
            self.person.save()
            self.instance.person = self.person
        return super().save(commit)
