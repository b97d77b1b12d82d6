"""The ``Idempotency-Key`` mechanism for money-moving requests.

Decorate an ``APIView`` method with ``@idempotent`` and document it with
``IDEMPOTENCY_KEY_PARAMETER``::

    @extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER], ...)
    @idempotent
    def post(self, request): ...

Rules, per user and key:

- the header is required (400 ``idempotency.key_required``); 1 to 255 visible ASCII characters;
  with ``@idempotent`` the header is checked before the throttles, so a missing key is a 400
  even for a client that has used up its rate (a retry with the key is what it needs);
- the first request runs and its response (any status below 500) is stored for at least
  ``IDEMPOTENCY_KEY_TTL_HOURS``; a repeat with the same method, path and body gets that response
  again, with the header ``Idempotent-Replayed: true``;
- the same key with another method, path or body is refused with 422 ``idempotency.key_reused``;
- concurrent requests with one key run the work once: the key row is inserted *before* the work,
  in the same (outermost, durable) transaction, so a second insert waits on the unique index until
  the first request commits, then replays the stored response. A request that fails with a 5xx
  rolls back its key with its work, so a retry runs again.

Lock order: the key row comes first, before any row the view's service locks.
"""

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import InvalidInput, Unprocessable
from apps.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEY_PATTERN = r"^[!-~]{1,255}$"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=True,
    pattern=KEY_PATTERN,
    description=(
        "A unique key per operation (a UUID is a good choice), 1-255 visible ASCII characters. "
        "Repeating the request with the same key and body returns the first response; the same "
        "key with another body is refused with 422. Keys are kept at least 24 hours."
    ),
)


class _Abort(Exception):
    """Carries a 5xx response out of the transaction so the key is rolled back with the work."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _key_from(request: Request) -> str:
    key = request.headers.get(HEADER)
    if key is None:
        raise InvalidInput(
            f"The {HEADER} header is required for this operation.",
            code="idempotency.key_required",
            fields={HEADER: ["This header is required."]},
        )
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= ch <= "~" for ch in key):
        raise InvalidInput(
            f"The {HEADER} header must be 1-{MAX_KEY_LENGTH} visible ASCII characters.",
            code="idempotency.key_invalid",
            fields={HEADER: [f"1-{MAX_KEY_LENGTH} visible ASCII characters."]},
        )
    return key


def _canonical_body(request: Request) -> Any:
    data = request.data
    if hasattr(data, "lists"):  # QueryDict from a form or multipart body
        return {key: values for key, values in data.lists()}
    return data


def request_fingerprint(request: Request) -> str:
    """sha256 over the method, the full path and the body with its keys sorted."""
    payload = json.dumps(
        [request.method, request.get_full_path(), _canonical_body(request)],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _rendered(data: Any) -> str:
    """The JSON text a client reads; the first response and its replays are byte-identical."""
    return JSONRenderer().render(data).decode() if data is not None else ""


def _parsed(text: str | None) -> Any:
    return json.loads(text) if text else None  # json keeps the stored key order


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Unprocessable(
            "This idempotency key was used with another request; use a new key.",
            code="idempotency.key_reused",
            fields={HEADER: ["Already used with a different method, path or body."]},
        )
    response = Response(_parsed(record.response_body), status=record.response_status)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent_response(
    *, view: APIView, request: Request, handler: Callable[[], Response]
) -> Response:
    """Run ``handler`` at most once per (user, key); see the module docstring."""
    key = _key_from(request)
    fingerprint = request_fingerprint(request)  # parses the body: a 400 here stores nothing
    now = timezone.now()
    try:
        with transaction.atomic(durable=True):
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=request.user,
                        key=key,
                        fingerprint=fingerprint,
                        method=request.method or "",
                        path=request.get_full_path()[:500],
                        created_at=now,
                        expires_at=now + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
                    )
            except IntegrityError:
                # Another request holds or held the key; its row is committed by now.
                existing = IdempotencyKey.objects.get(user=request.user, key=key)
                return _replay(existing, fingerprint)

            try:
                with transaction.atomic():
                    response = handler()
            except Exception as exc:  # rendered by the API's handler, like any other error
                response = view.handle_exception(exc)
            if response.status_code >= 500:
                raise _Abort(response)
            body = _rendered(response.data)
            record.response_status = response.status_code
            record.response_body = body
            record.save(update_fields=["response_status", "response_body"])
    except _Abort as abort:
        return abort.response
    return Response(_parsed(body), status=response.status_code)


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Decorator for an APIView method that moves money; the user must be authenticated."""

    @functools.wraps(method)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        return idempotent_response(
            view=view, request=request, handler=lambda: method(view, request, *args, **kwargs)
        )

    # Read by apps.core.throttles: a missing or malformed key is a 400 before any throttle counts.
    wrapper.validate_required_headers = _key_from  # type: ignore[attr-defined]
    return wrapper


def idempotency_keys_purge(*, now: Any = None) -> int:
    """Delete keys past their retention; returns how many were deleted."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted
