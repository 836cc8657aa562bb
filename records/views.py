"""Record pages shared by every kind of record: detail, create, edit, delete
and history, each enforcing `accounts.scope`. The owning app describes its
kinds (`outcomes/views_records.py`, `deployments/views_records.py`) and gets
five plain views per kind.

Response rule (see accounts.scope): role first (403 when the role may never do
it), then the record (404 when the user may not read it), then the action on
that record (403 when the user may read but not change it).
"""

import calendar
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import scope
from audit.history import display_value, history_entries


@dataclass
class RecordKind:
    """One kind of record and how its pages show it."""

    model: type
    form_class: type
    name: str  # URL name stem: "surgery" -> outcomes:surgery, outcomes:surgery_create, ...
    namespace: str  # "outcomes"
    select_related: list = field(default_factory=list)
    form_template: str = "records/form.html"
    # Path to the hospital whose region dashboard counts the record (or a
    # tuple of paths, the first non-empty one wins), and its date field.
    counts_at: tuple = ()  # ("hospital", "date")
    # Optional hook: called with (request, obj) after a create or edit is saved.
    after_save: object = None
    prefix: str = ""  # URL prefix ("surgeries"), set by record_urlpatterns

    def url(self, action="", *args):
        suffix = f"_{action}" if action else ""
        return reverse(f"{self.namespace}:{self.name}{suffix}", args=args)

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    def queryset(self):
        return self.model._default_manager.select_related(*self.select_related)


def detail_rows(obj):
    """(label, value) for each field of `obj`, as a person reads it."""
    rows = []
    for f in obj._meta.concrete_fields:
        if f.primary_key and isinstance(f, models.AutoField):
            continue
        if f.is_relation:
            related = getattr(obj, f.name)
            value = str(related) if related is not None else "—"
            if related is not None and getattr(related, "pk", None) not in (None, str(related)):
                value = f"{related} ({related.pk})"
        else:
            value = display_value(f, getattr(obj, f.attname))
        rows.append((f.verbose_name, value))
    return rows


def where_it_counts(kind, obj):
    """A link to the region dashboard, filtered to the record's month, that counts it."""
    if not kind.counts_at:
        return None
    hospital_paths, date_field = kind.counts_at
    if isinstance(hospital_paths, str):
        hospital_paths = (hospital_paths,)
    hospital = None
    for path in hospital_paths:  # the first end that is a hospital
        hospital = obj
        for hop in path.split("__"):
            hospital = getattr(hospital, hop, None)
            if hospital is None:
                break
        if hospital is not None:
            break
    if hospital is None:
        return None
    day = getattr(obj, date_field, None)
    if day is None:
        return None
    province = hospital.region.province_code
    base = reverse("dashboards:region", args=[province])
    last = calendar.monthrange(day.year, day.month)[1]
    start, end = day.replace(day=1), day.replace(day=last)
    return {
        "url": f"{base}?date_after={start.isoformat()}&date_before={end.isoformat()}",
        "region": province,
        "hospital": hospital,
        "month": start,
    }


def _list_url(kind):
    return reverse(f"{kind.namespace}:{kind.name}_list")


def make_views(kind: RecordKind):
    """The five views of `kind`: detail, create, update, delete, history."""

    @scope.records_required
    def detail(request, pk):
        obj = scope.get_readable_or_404(request.user, kind.queryset(), pk=pk)
        return render(request, "records/detail.html", {
            "kind": kind, "object": obj, "rows": detail_rows(obj),
            "can_edit": scope.can_edit(request.user, obj),
            "where": where_it_counts(kind, obj),
        })

    def _save(request, form):
        with transaction.atomic():
            saved = form.save()
        if kind.after_save:
            kind.after_save(request, saved)
        return saved

    @scope.editors_required
    def create(request):
        if not scope.can_create(request.user):
            raise PermissionDenied(_("No program is assigned to you; ask an admin."))
        form_kwargs = {"user": request.user}
        if hasattr(kind.form_class, "initial_for"):
            form_kwargs["initial"] = kind.form_class.initial_for(request)
        form = kind.form_class(request.POST or None, **form_kwargs)
        if request.method == "POST" and form.is_valid():
            obj = _save(request, form)
            messages.success(request, _("Saved %(kind)s %(ref)s.") % {
                "kind": kind.verbose_name, "ref": obj})
            if "save_another" in request.POST:
                request.session["last_saved"] = [kind.name, obj.pk]
                return redirect(kind.url("create"))
            return redirect(kind.url("", obj.pk))
        last = None
        last_saved = request.session.pop("last_saved", None) if request.method == "GET" else None
        if last_saved and last_saved[0] == kind.name:
            last = kind.queryset().filter(pk=last_saved[1]).first()
        return render(request, kind.form_template, {
            "kind": kind, "form": form, "creating": True,
            "last": last, "last_where": where_it_counts(kind, last) if last else None,
        })

    @scope.editors_required
    def update(request, pk):
        obj = scope.get_editable_or_403(request.user, kind.queryset(), pk=pk)
        form = kind.form_class(request.POST or None, instance=obj, user=request.user)
        if request.method == "POST" and form.is_valid():
            obj = _save(request, form)
            messages.success(request, _("Saved %(kind)s %(ref)s.") % {
                "kind": kind.verbose_name, "ref": obj})
            return redirect(kind.url("", obj.pk))
        return render(request, kind.form_template, {"kind": kind, "form": form, "object": obj})

    @scope.editors_required
    def delete(request, pk):
        obj = scope.get_editable_or_403(request.user, kind.queryset(), pk=pk)
        if request.method == "POST":
            label = str(obj)
            with transaction.atomic():
                obj.delete()
            messages.success(request, _("Deleted %(kind)s %(ref)s.") % {
                "kind": kind.verbose_name, "ref": label})
            return redirect(_list_url(kind))
        return render(request, "records/confirm_delete.html", {"kind": kind, "object": obj})

    @scope.records_required
    def history(request, pk):
        obj = scope.get_readable_or_404(request.user, kind.queryset(), pk=pk)
        return render(request, "records/history.html", {
            "kind": kind, "object": obj, "entries": history_entries(obj),
        })

    return detail, create, update, delete, history


def record_urlpatterns(kind: RecordKind, prefix: str):
    """URL patterns `<prefix>/new/`, `<prefix>/<pk>/`, `.../edit/`, `.../delete/`, `.../history/`."""
    from django.urls import path

    kind.prefix = prefix
    detail, create, update, delete, history = make_views(kind)
    n = kind.name
    return [
        path(f"{prefix}/new/", create, name=f"{n}_create"),
        path(f"{prefix}/<pk:pk>/", detail, name=n),
        path(f"{prefix}/<pk:pk>/edit/", update, name=f"{n}_update"),
        path(f"{prefix}/<pk:pk>/delete/", delete, name=f"{n}_delete"),
        path(f"{prefix}/<pk:pk>/history/", history, name=f"{n}_history"),
    ]
