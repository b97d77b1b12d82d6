"""Domain errors and the API's one error shape.

Every error the API returns looks like ``{"error": {"code", "message", "fields"}}``. Services
raise ``DomainError`` subclasses with stable codes; this module maps them, DRF's own exceptions
and anything unexpected to that shape, so no traceback ever reaches a client.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A broken business rule; ``code`` is stable and documented, ``status`` is the HTTP answer."""

    status: int = status.HTTP_409_CONFLICT
    code: str = "conflict"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields = fields or {}


class InvalidInput(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "invalid"


class NotFound(DomainError):
    status = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Forbidden(DomainError):
    status = status.HTTP_403_FORBIDDEN
    code = "permission_denied"


class Conflict(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "conflict"


class Unprocessable(DomainError):
    """Well-formed but refused as a whole, e.g. an idempotency key reused with another body."""

    status = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "unprocessable"


class PayloadTooLarge(DomainError):
    """The request body is over a size limit; nothing of it was used."""

    status = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "request.too_large"


class ServiceUnavailable(DomainError):
    """A dependency of this request is missing or down; retrying later may succeed."""

    status = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "service_unavailable"


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def request_too_big(limit: int) -> DomainError:
    """The 413 for a body over ``limit`` bytes (one message whichever layer noticed)."""
    return PayloadTooLarge(
        f"The request body is larger than {limit:,} bytes.",
        code="request.too_large",
    )


def request_limit_error(exc: Exception) -> DomainError | None:
    """Django's refusals of an oversized or overfull body as domain errors, else None.

    Django raises these (as ``SuspiciousOperation``) when the body is first read, which for an
    API view is the first touch of ``request.data``; left alone they would be 500s.
    """
    if isinstance(exc, RequestDataTooBig):
        return request_too_big(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return InvalidInput(
            f"The request has more than {limit:,} fields.", code="request.too_many_fields"
        )
    if isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return InvalidInput(
            f"The request has more than {limit:,} files.", code="request.too_many_files"
        )
    if isinstance(exc, SuspiciousOperation):
        return InvalidInput("The request was refused as malformed.", code="bad_request")
    return None


def _flatten(detail: Any) -> dict[str, Any]:
    """DRF validation details as ``{field: [messages]}``; nested serializers keep dotted keys."""
    if isinstance(detail, dict):
        out: dict[str, Any] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub_key, sub_value in _flatten(value).items():
                    out[f"{key}.{sub_key}"] = sub_value
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub_key, sub_value in _flatten(item).items():
                        out[f"{key}.{index}.{sub_key}"] = sub_value
            else:
                out[str(key)] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {"non_field_errors": [str(detail)]}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF exception handler producing the one error shape for every failure."""
    exc = request_limit_error(exc) or exc
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)

    response = exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in %s", context.get("view"), exc_info=exc)
        return Response(
            error_body("server_error", "An unexpected error occurred; it has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        non_field = fields.get("non_field_errors")
        message = non_field[0] if non_field else "The request has invalid fields."
        response.data = error_body("invalid", message, fields)
        return response

    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else str(exc.default_code)
    detail = exc.detail
    if isinstance(detail, dict):
        # SimpleJWT puts its message under "detail" with extra keys such as "messages".
        message = str(detail.get("detail", "Request refused."))
        code = str(detail.get("code", code))
    else:
        message = str(detail)
    response.data = error_body(code, message)
    return response
