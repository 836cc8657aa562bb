"""Views of the project package: the health check."""

import time

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from aidtracker.lib import replicas
from aidtracker.lib.failures import DATABASE_ERRORS


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Return 200 JSON after a real round trip to the database, 503 without one.

    Public (load balancers and monitors do not sign in) and cheap: one
    `SELECT 1`, no session, no template; and, with read replicas, each
    replica's state (ok, lagging, unavailable, not_replicating) and lag in
    seconds (aidtracker/lib/replicas.py)."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_ERRORS as exc:
        return JsonResponse(
            {"status": "error", "database": "unavailable", "detail": exc.__class__.__name__},
            status=503,
        )
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    body = {"status": "ok", "database": "ok", "database_ms": elapsed_ms, "vendor": connection.vendor}
    aliases = replicas.replica_aliases()
    if aliases:
        # Checked now (one query each). A replica down or lagging is not an
        # error of this server: reads go to the primary meanwhile.
        body["replicas"] = {alias: replicas.check_replica(alias).as_json() for alias in aliases}
    return JsonResponse(body)
