"""Public pieces of the notes API that the creator center's comment API shares with it."""

from collections.abc import Callable

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from apps.core.idempotency import KEY_PATTERN as IDEMPOTENCY_KEY_PATTERN
from apps.core.idempotency import idempotent_response

OPTIONAL_IDEMPOTENCY_KEY = OpenApiParameter(
    name=IDEMPOTENCY_HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    pattern=IDEMPOTENCY_KEY_PATTERN,
    description=(
        "Optional. A client retrying after a lost response sends the same key (a UUID) and body "
        "and gets the first response back instead of a second note or comment; the same key "
        "with another body is refused with 422."
    ),
)


def at_most_once(view: APIView, request: Request, handler: Callable[[], Response]) -> Response:
    """Run a create once per Idempotency-Key when the client sends one."""
    if IDEMPOTENCY_HEADER not in request.headers:
        return handler()
    return idempotent_response(view=view, request=request, handler=handler)
