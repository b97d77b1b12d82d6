"""Request checks made before a view runs: body size, and the API's query-string rules.

Django refuses bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when they are read (mapped to
413 in ``apps.core.errors``). Endpoints anyone may call get a much smaller limit here, from the
Content-Length header, before any parsing or signature check. (A module of its own: DRF imports
the parsers while ``apps.core.errors`` is still loading.)
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin
from rest_framework.permissions import AllowAny

from apps.core.errors import error_body, request_too_big

API_PREFIX = "/api/"  # the admin's own query strings (an empty search box) are its business


def body_limit_for(view_func: Callable[..., Any]) -> int | None:
    """The body limit of a view in bytes, or None for the global one.

    A view may set ``max_body_bytes``; otherwise an API view anyone may call (every permission
    class is ``AllowAny``: login, register, refresh, logout, provider webhooks) gets
    ``UNAUTHENTICATED_BODY_MAX_BYTES``, so nobody without an account can make the server read,
    parse or hash megabytes.
    """
    view_class = getattr(view_func, "cls", None)
    if view_class is None:
        return None
    explicit = getattr(view_class, "max_body_bytes", None)
    if explicit is not None:
        return int(explicit)
    permissions = getattr(view_class, "permission_classes", None)
    if permissions is None:
        return None
    if all(issubclass(permission, AllowAny) for permission in permissions):
        return settings.UNAUTHENTICATED_BODY_MAX_BYTES
    return None


class BodySizeLimitMiddleware(MiddlewareMixin):
    """Refuse a body over its view's limit from the Content-Length header, before reading it."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple,
        view_kwargs: dict,
    ) -> HttpResponse | None:
        limit = body_limit_for(view_func)
        if limit is None:
            return None
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared:
            if "HTTP_TRANSFER_ENCODING" in request.META:
                return JsonResponse(
                    error_body(
                        "request.length_required",
                        "Send a Content-Length header with the request body.",
                    ),
                    status=411,
                )
            return None
        try:
            length = int(declared)
        except ValueError:
            return JsonResponse(
                error_body("bad_request", "The Content-Length header is not a number."),
                status=400,
            )
        if length > limit:
            refusal = request_too_big(limit)
            return JsonResponse(error_body(refusal.code, refusal.message), status=refusal.status)
        return None


class QueryStringMiddleware(MiddlewareMixin):
    """API query parameters are single and non-empty: ``?state=`` or ``?page_size=1&page_size=2``
    is a 400, not a silently ignored filter (the schema says so: ``minLength: 1``, no arrays)."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple,
        view_kwargs: dict,
    ) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        fields: dict[str, list[str]] = {}
        for name, values in request.GET.lists():
            if len(values) > 1:
                fields[name] = ["Give this parameter once."]
            elif values[0] == "":
                fields[name] = ["Leave the parameter out instead of sending it empty."]
        if not fields:
            return None
        return JsonResponse(
            error_body("invalid", "The request has invalid query parameters.", fields),
            status=400,
        )
