"""Health check and JSON fallbacks for errors raised outside DRF views."""

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.core.errors import error_body, request_limit_error


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache did not return the value written")
    return "ok"


def _check_broker() -> str:
    """Ping the broker of the project's Celery app.

    ``current_app`` is the app ``config.celery_app`` creates (it sets itself current when the
    settings package loads), so core reaches it without importing ``config``, a layer above.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    """Report database, cache and broker; 503 when any of them fails."""
    checks = {}
    healthy = True
    for name, check in (
        ("database", _check_database),
        ("cache", _check_cache),
        ("broker", _check_broker),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure of a dependency is reported, not raised
            checks[name] = f"error: {type(exc).__name__}"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's 400 path (outside DRF): oversized or overfull bodies keep their own answer."""
    refused = request_limit_error(exception) if exception is not None else None
    if refused is not None:
        return JsonResponse(error_body(refused.code, refused.message), status=refused.status)
    return JsonResponse(error_body("bad_request", "Bad request."), status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("permission_denied", "Permission denied."), status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=404)


# Unknown API paths answer 404 for every method; a CSRF check there would answer 403 instead.
api_not_found = csrf_exempt(not_found)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    return JsonResponse(
        error_body("csrf_failed", f"CSRF verification failed: {reason}"), status=403
    )


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", "An unexpected error occurred."), status=500)
