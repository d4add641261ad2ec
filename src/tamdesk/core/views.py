from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tamdesk import __version__


@never_cache
@require_GET
def healthz(request):
    """Liveness and database status, for load balancers and monitoring (no login)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure is reported, not raised
        return JsonResponse(
            {
                "status": "error",
                "version": __version__,
                "database": {"status": "error", "error": str(exc)},
            },
            status=503,
        )
    return JsonResponse(
        {
            "status": "ok",
            "version": __version__,
            "database": {"status": "ok", "vendor": connection.vendor},
        }
    )
