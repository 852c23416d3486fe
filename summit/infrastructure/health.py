"""The health check served at /healthz."""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse


def health(request):
    """For load balancers and the process supervisor: 200 when the database and the cache
    answer, 503 with the failing part named otherwise. No personal data, no secrets."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "unavailable"
    try:
        cache.set("health:probe", "1", 10)
        checks["cache"] = "ok" if cache.get("health:probe") == "1" else "unavailable"
    except Exception:  # any cache backend error means the cache is unusable
        checks["cache"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "unavailable", **checks})
    response.status_code = 200 if healthy else 503
    response["Cache-Control"] = "no-store"
    return response
