"""Reading django-simple-history: per-record entries with before → after."""

from django.db import models
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _

TYPE_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def display_value(field, value):
    """A stored value as a person reads it: choice labels, yes/no, codes for links."""
    if value is None or value == "":
        return "—"
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    return localize(value)


def _tracked_fields(model):
    return [
        f for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]


def history_entries(obj, limit=200):
    """The record's history, newest first: one dict per historical row with
    who, when, type, import batch, reason and the changed fields (label,
    before, after). One query, whatever the number of entries."""
    model = type(obj)
    fields = {f.name: f for f in _tracked_fields(model)}
    order = {name: index for index, name in enumerate(fields)}
    rows = list(
        obj.history.select_related("history_user", "import_batch")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    for index, row in enumerate(rows[:limit]):
        older = rows[index + 1] if index + 1 < len(rows) else None
        changes = []
        if older is not None and row.history_type != "-":
            delta = row.diff_against(older, included_fields=list(fields))
            for change in sorted(delta.changes, key=lambda c: order[c.field]):
                field = fields[change.field]
                changes.append({
                    "field": field.verbose_name,
                    "before": display_value(field, change.old),
                    "after": display_value(field, change.new),
                })
        elif row.history_type == "+" or older is None:
            for name, field in fields.items():
                value = getattr(row, field.attname, None)
                if value not in (None, ""):
                    changes.append({
                        "field": field.verbose_name, "before": "",
                        "after": display_value(field, value),
                    })
        entries.append({
            "id": row.history_id,
            "date": row.history_date,
            "type": row.history_type,
            "type_label": TYPE_LABELS.get(row.history_type, row.history_type),
            "user": row.history_user,
            "batch": row.import_batch,
            "reason": row.history_change_reason or "",
            "changes": changes,
        })
    return entries
