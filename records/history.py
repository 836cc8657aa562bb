"""The admin's list of recent changes across every record kind."""

from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.scope import admin_required
from audit.history import recent_changes as recent_change_entries
from audit.history import tracked_models


@admin_required
def recent_changes(request):
    """Recent changes across every record kind, newest first, filterable by
    kind, user and import batch (audit/history.py reads them)."""
    kind = request.GET.get("kind", "")
    page, entries = recent_change_entries(
        kind, request.GET.get("user"), request.GET.get("batch"), request.GET.get("page")
    )
    context = {
        **admin.site.each_context(request),
        "title": _("Recent changes"),
        "entries": entries,
        "page": page,
        "kinds": [(label, m._meta.verbose_name_plural) for label, m in tracked_models().items()],
        "kind": kind,
        "query": request.GET.copy(),
    }
    return render(request, "admin/recent_changes.html", context)
