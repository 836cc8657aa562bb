"""Reading django-simple-history: per-record entries with before → after, and
the recent changes across every record kind."""

import re

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import models
from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _

from audit.models import ImportBatch

TYPE_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
CREATED = object()  # the "before" of a field in the entry that created the record


def display_value(field, value, names=None):
    """A stored value as a person reads it: choice labels, yes/no, dates in
    the format of the reader's language, and for a foreign key the related
    record's name from `names` ({value: name}, see related_names), else its
    code."""
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return str((names or {}).get(value, value))
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    return localize(value)


def related_names(fields, values):
    """{field name: {value: name}} for the foreign keys among `fields` (a
    name → field dict) whose stored values are in `values` (field name → set
    of values): each related record's str(), so a specialty reads
    "Cardiology" (or "心血管内科"), a hospital by its name, in the reader's
    language. One query per related model, whatever the number of values."""
    by_model = {}
    for name, found in values.items():
        field = fields[name]
        if field.is_relation and found:
            by_model.setdefault(field.related_model, set()).update(found)
    records = {
        model: model._base_manager.in_bulk(list(found)) for model, found in by_model.items()
    }
    return {
        name: {value: str(records[fields[name].related_model][value])
               for value in found if value in records[fields[name].related_model]}
        for name, found in values.items() if fields[name].is_relation and found
    }


def _tracked_fields(model):
    return [
        f for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]


def history_entries(obj, limit=200):
    """The record's history, newest first: one dict per historical row with
    who, when, type, import batch, reason and the changed fields (label,
    before, after). One query, whatever the number of entries, and one per
    kind of related record they name (related_names)."""
    model = type(obj)
    fields = {f.name: f for f in _tracked_fields(model)}
    order = {name: index for index, name in enumerate(fields)}
    rows = list(
        obj.history.select_related("history_user", "import_batch")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    values = {}  # field name -> the values shown, to name the related records
    for index, row in enumerate(rows[:limit]):
        older = rows[index + 1] if index + 1 < len(rows) else None
        changes = []
        if older is not None and row.history_type != "-":
            delta = row.diff_against(older, included_fields=list(fields))
            for change in sorted(delta.changes, key=lambda c: order[c.field]):
                changes.append((change.field, change.old, change.new))
        elif row.history_type == "+" or older is None:
            for name, field in fields.items():
                value = getattr(row, field.attname, None)
                if value not in (None, ""):
                    changes.append((name, CREATED, value))
        for name, old, new in changes:
            values.setdefault(name, set()).update(v for v in (old, new) if v not in (None, "", CREATED))
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
    names = related_names(fields, values)
    for entry in entries:
        entry["changes"] = [
            {
                "field": fields[name].verbose_name,
                "before": "" if old is CREATED else display_value(fields[name], old, names.get(name)),
                "after": display_value(fields[name], new, names.get(name)),
            }
            for name, old, new in entry["changes"]
        ]
    return entries


# Record kinds with a History page of their own (others link to the admin).
HISTORY_URLS = {
    "outcomes.surgery": "outcomes:surgery_history",
    "outcomes.training": "outcomes:training_history",
    "outcomes.technique": "outcomes:technique_history",
    "outcomes.referral": "outcomes:referral_history",
    "outcomes.consultation": "outcomes:consultation_history",
    "deployments.rotation": "deployments:rotation_history",
}


def tracked_models():
    """Every model that keeps a history with django-simple-history, by label."""
    found = {}
    for model in apps.get_models():
        manager = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager:
            found[model._meta.label_lower] = model
    return dict(sorted(found.items()))


def _history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def _history_rows(label, model, filters):
    history = _history_model(model)
    pk_name = model._meta.pk.attname
    has_batch = any(f.name == "import_batch" for f in history._meta.fields)
    qs = history.objects.filter(**filters).annotate(
        change_kind=Value(label, output_field=CharField()),
        change_pk=Cast(F(pk_name), output_field=CharField()),
        change_batch=F("import_batch_id") if has_batch else Value(None, output_field=IntegerField()),
    )
    return qs.values_list(
        "change_kind", "change_pk", "history_id", "history_date", "history_type",
        "history_user_id", "change_batch", "history_change_reason",
    ).order_by()


def recent_changes(kind="", user=None, batch=None, page_number=None):
    """(page, entries) of the recent changes across every record kind, newest
    first, in one query (a UNION of the history tables), narrowed by kind
    (a model label), user id and import batch id."""
    models = tracked_models()
    filters = {}
    # An id is a 64-bit integer: a longer number is no id (and the database
    # would refuse it rather than find nothing).
    if re.fullmatch(r"[0-9]{1,18}", str(user or "")):
        filters["history_user_id"] = int(user)
    if re.fullmatch(r"[0-9]{1,18}", str(batch or "")):
        filters["import_batch_id"] = int(batch)
    chosen = {kind: models[kind]} if kind in models else models
    if "import_batch_id" in filters:  # only history tables that record import batches
        chosen = {
            label: m for label, m in chosen.items()
            if any(f.name == "import_batch" for f in _history_model(m)._meta.fields)
        }
    querysets = [_history_rows(label, model, filters) for label, model in chosen.items()]
    if querysets:
        union = querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else querysets[0]
        union = union.order_by("-history_date", "-history_id")
    else:
        union = []
    page = Paginator(union, 50, allow_empty_first_page=True).get_page(page_number)

    rows = list(page.object_list)
    users = get_user_model().objects.in_bulk({r[5] for r in rows if r[5]})
    batches = ImportBatch.objects.in_bulk({r[6] for r in rows if r[6]})
    entries = []
    for label, pk, _hid, date, htype, user_id, batch_id, reason in rows:
        url = None
        if htype != "-" and label in HISTORY_URLS:
            url = reverse(HISTORY_URLS[label], args=[pk])
        elif htype != "-":
            app_label, model_name = label.split(".")
            try:
                url = reverse(f"admin:{app_label}_{model_name}_history", args=[pk])
            except NoReverseMatch:
                url = None
        entries.append({
            "model": models[label]._meta.verbose_name, "pk": pk, "date": date,
            "type_label": TYPE_LABELS.get(htype, htype), "user": users.get(user_id),
            "batch": batches.get(batch_id), "reason": reason, "url": url,
        })
    return page, entries
