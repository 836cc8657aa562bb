"""Fixture serializers that keep code primary keys (JSON and JSON Lines).

Django's `--natural-primary` drops the primary key of every model that has
`natural_key()`, assuming the key can be rebuilt from the other fields. Our
reference models (Region, Hospital, Specialty, Program, Team, Person,
Trainee) have the code itself as primary key and natural key, so Django's
stock serializer would write a region without its code and `loaddata` could
not rebuild it. These serializers differ from Django's in two ways only:

- a row whose primary key is a code (not a database-generated id) keeps it
  as `"pk"`, with or without `--natural-primary`;
- with `--natural-foreign`, a foreign key to such a model is written as the
  code itself (`"hospital": "LS-PEOPLES"`), not `["LS-PEOPLES"]`: the same
  natural key, readable, and loadable without one lookup per row.

Rows with database ids (surgeries, rotations, ...) are still written by
their natural keys only. Django's deserializers read both forms unchanged.
Registered for the `json` and `jsonl` formats in settings.SERIALIZATION_MODULES.
"""

from django.core.serializers import json as django_json
from django.core.serializers import jsonl as django_jsonl
from django.core.serializers import python as django_python
from django.db.models.fields import AutoFieldMixin


def has_code_pk(model) -> bool:
    """True when the model's primary key is a value the data owner chose."""
    return not isinstance(model._meta.pk, AutoFieldMixin)


class CodeKeysMixin:
    def get_dump_object(self, obj):
        data = super().get_dump_object(obj)
        if "pk" not in data and has_code_pk(type(obj)):
            data = {
                "model": data["model"],
                "pk": self._value_from_field(obj, obj._meta.pk),
                "fields": data["fields"],
            }
        return data

    def handle_fk_field(self, obj, field):
        if (
            self.use_natural_foreign_keys
            and field.target_field.primary_key
            and has_code_pk(field.remote_field.model)
        ):
            self._current[field.name] = self._value_from_field(obj, field)
        else:
            super().handle_fk_field(obj, field)


class JSONSerializer(CodeKeysMixin, django_json.Serializer):
    pass


class JSONLSerializer(CodeKeysMixin, django_jsonl.Serializer):
    pass


class PythonSerializer(CodeKeysMixin, django_python.Serializer):
    """Dicts as `dumpdata` would write them, for code that writes fixtures itself."""
