"""Names in the reader's language: `{% load bilingual %}`.

Model instances already have `display_name` (hospitals.models.BilingualNameMixin):
`{{ hospital.display_name }}`. Aggregate pages often read rows from
`.values("donor_region__name", "donor_region__name_zh", ...)`; for those,
`{{ row|display_name:"donor_region" }}` picks the same way.
"""

from django import template
from django.utils.translation import get_language

register = template.Library()


def name_for_language(name: str, name_zh: str, language: str | None = None) -> str:
    """`name_zh` in a Chinese interface and `name` otherwise, each falling back to the other."""
    language = (language or get_language() or "").lower()
    if language.startswith("zh"):
        return name_zh or name or ""
    return name or name_zh or ""


@register.filter
def display_name(value, prefix: str = ""):
    """The name of an object or a `.values()` row in the active language.

    For a dict, reads `<prefix>__name` and `<prefix>__name_zh` (or `name` and
    `name_zh` without a prefix).
    """
    if value is None:
        return ""
    if isinstance(value, dict):
        key = f"{prefix}__name" if prefix else "name"
        return name_for_language(value.get(key) or "", value.get(f"{key}_zh") or "")
    if hasattr(value, "display_name"):
        return value.display_name
    return str(value)
