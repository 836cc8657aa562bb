"""Admin's list of recent changes across every record kind."""

from django.apps import apps
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Cast
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from accounts.history import TYPE_LABELS
from accounts.scope import admin_required, api_records_required

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


@admin_required
def recent_changes(request):
    """Recent changes across every record kind, newest first, in one query
    (a UNION of the history tables), filterable by kind, user and import batch."""
    models = tracked_models()
    kind = request.GET.get("kind", "")
    filters = {}
    if request.GET.get("user", "").isdigit():
        filters["history_user_id"] = int(request.GET["user"])
    if request.GET.get("batch", "").isdigit():
        filters["import_batch_id"] = int(request.GET["batch"])
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
    page = Paginator(union, 50, allow_empty_first_page=True).get_page(request.GET.get("page"))

    from django.contrib.auth import get_user_model

    from audit.models import ImportBatch

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
    context = {
        **admin.site.each_context(request),
        "title": _("Recent changes"),
        "entries": entries,
        "page": page,
        "kinds": [(label, m._meta.verbose_name_plural) for label, m in models.items()],
        "kind": kind,
        "query": request.GET.copy(),
    }
    return render(request, "admin/recent_changes.html", context)


@api_records_required
def whoami(request):
    """GET /api/v1/whoami: who the request is signed in as (a check for API tokens)."""
    from django.http import JsonResponse

    from accounts.scope import readable_regions, role_of

    return JsonResponse({
        "username": request.user.get_username(),
        "role": role_of(request.user),
        "regions": readable_regions(request.user),
        "token": getattr(getattr(request, "api_token", None), "hint", None),
    })
