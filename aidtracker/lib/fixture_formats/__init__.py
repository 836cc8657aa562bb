"""Serialization modules for settings.SERIALIZATION_MODULES (see aidtracker.lib.serializers)."""
