"""`json` format: Django's, keeping code primary keys (see aidtracker.lib.serializers)."""

from django.core.serializers.json import Deserializer  # noqa: F401

from aidtracker.lib.serializers import JSONSerializer as Serializer  # noqa: F401
