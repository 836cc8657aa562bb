"""`jsonl` format: Django's, keeping code primary keys (see aidtracker.lib.serializers)."""

from django.core.serializers.jsonl import Deserializer  # noqa: F401

from aidtracker.lib.serializers import JSONLSerializer as Serializer  # noqa: F401
