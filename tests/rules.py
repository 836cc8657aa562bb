"""Helpers for rule tests: a rule is checked twice, once as the coordinator
meets it (model validation with its message) and once as the database holds
it (a write that bypasses validation is refused)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


def assert_invalid(obj, message, field=None):
    """full_clean() refuses `obj` with `message` (on `field` when given)."""
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    errors = excinfo.value.message_dict
    found = errors.get(field, []) if field else [m for ms in errors.values() for m in ms]
    assert any(message in m for m in found), f"{message!r} not in {errors}"


def assert_refused_by_database(obj):
    """save() without validation raises IntegrityError and writes nothing."""
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
