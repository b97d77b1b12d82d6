"""Events API: clients post batches of what their users saw and did."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.analytics import services
from apps.analytics.api import serializers as s
from apps.analytics.api.throttles import EventBatchRateThrottle
from apps.analytics.validation import parse_batch
from apps.core.parsers import SafeJSONParser

BATCH_EXAMPLE = {
    "events": [
        {
            "client_event_id": "9b2f6c1e-4a51-4c1a-9a57-2f0d6a1f3e10",
            "kind": "impression",
            "source": "feed",
            "note_id": 1024,
            "occurred_at": "2026-05-20T21:14:03.120+08:00",
        },
        {
            "client_event_id": "0c8e0a55-7f7b-4a57-8e0e-5d3c1b2a9f41",
            "kind": "view",
            "source": "feed",
            "note_id": 1024,
            "dwell_ms": 18400,
            "occurred_at": 1779282860000,
        },
    ]
}


class EventBatchApi(APIView):
    """Record a batch of client events as the signed-in user."""

    parser_classes = [SafeJSONParser]
    throttle_classes = [EventBatchRateThrottle]

    @extend_schema(
        tags=["events"],
        summary="Send a batch of client events",
        description=(
            "Up to 500 events per request. Each event is checked on its own: bad ones are "
            "listed in `errors` by position and the rest are stored. An event already stored "
            "(same `client_event_id` for this user) is counted in `duplicates`, so a batch can "
            "be retried safely. The actor is always the signed-in user. The request is refused "
            "as a whole (400) only when the body is not an object with 1 to 500 events."
        ),
        request={"application/json": s.EVENT_BATCH_SCHEMA},
        responses={200: s.EventBatchResultSerializer},
        examples=[OpenApiExample("Impression and view", value=BATCH_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        received_at = timezone.now()
        events, errors = parse_batch(request.data, received_at=received_at)
        result = services.event_batch_record(
            actor_id=request.user.pk, events=events, received_at=received_at, errors=errors
        )
        return Response(result.as_dict())
