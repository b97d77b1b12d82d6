"""The sandbox provider: a payment provider that runs inside the platform.

Its webhook is signed like real ones: header ``Sandbox-Signature: t=<unix seconds>,v1=<hex>``
where ``v1 = HMAC-SHA256(secret, "<t>." + raw body)``. Several ``v1`` values may be sent while a
secret is rotated. A delivery is refused when no signature matches or when ``t`` is more than
``LEDGER_WEBHOOK_TOLERANCE_SECONDS`` away from now (a replay of an old, validly signed body).

Body::

    {"id": "evt_...", "type": "payment.succeeded" | "payment.failed" | "payment.expired",
     "created": 1764000000,
     "data": {"intent": "pi_...", "amount": 1000, "currency": "CNY", "reason": ""}}
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

from apps.ledger.providers.base import (
    PaymentProvider,
    ProviderEvent,
    ProviderEventType,
    ProviderPayment,
    WebhookRejected,
)

if TYPE_CHECKING:
    from apps.ledger.models import PaymentIntent

SIGNATURE_HEADER = "Sandbox-Signature"
EVENT_TYPES = {f"payment.{kind.value}": kind for kind in ProviderEventType}
MAX_INT64 = 2**63 - 1


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(body: bytes, *, timestamp: int, secret: str | None = None) -> str:
    """The ``Sandbox-Signature`` header value for ``body`` sent at ``timestamp``."""
    secret = secret if secret is not None else settings.LEDGER_SANDBOX_WEBHOOK_SECRET
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def event_body(
    *,
    intent_reference: str,
    amount: int,
    event_type: ProviderEventType,
    created: int,
    event_id: str | None = None,
    reason: str = "",
) -> bytes:
    """A sandbox notification body, as the sandbox cashier sends it."""
    event = {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "type": f"payment.{event_type.value}",
        "created": created,
        "data": {"intent": intent_reference, "amount": amount, "currency": "CNY", "reason": reason},
    }
    return json.dumps(event, separators=(",", ":")).encode()


def _rejected(code: str, message: str) -> WebhookRejected:
    return WebhookRejected(message, code=code)


def _parse_signature_header(value: str | None) -> tuple[int, list[str]]:
    if not value:
        raise _rejected("webhook.signature_missing", f"The {SIGNATURE_HEADER} header is missing.")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in value.split(","):
        name, _, item = part.strip().partition("=")
        if name == "t" and item.isascii() and item.isdigit() and len(item) <= 12:
            timestamp = int(item)
        elif name == "v1" and item:
            signatures.append(item)
    if timestamp is None or not signatures:
        raise _rejected("webhook.signature_invalid", "The signature header is malformed.")
    return timestamp, signatures


def _field(data: Any, name: str, kind: type) -> Any:
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _rejected("webhook.payload_invalid", f"The event has no valid '{name}'.")
    return value


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def create_payment(self, *, intent: "PaymentIntent") -> ProviderPayment:
        return ProviderPayment(
            client_payload={
                "cashier": "sandbox",
                "reference": intent.reference,
                "pay_path": f"/api/v1/wallet/topups/{intent.pk}/sandbox-pay",
            }
        )

    def parse_webhook(
        self, *, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> ProviderEvent:
        timestamp, signatures = _parse_signature_header(headers.get(SIGNATURE_HEADER))
        secrets_accepted = [settings.LEDGER_SANDBOX_WEBHOOK_SECRET]
        secrets_accepted += settings.LEDGER_SANDBOX_WEBHOOK_OLD_SECRETS
        expected = [_digest(secret, timestamp, body) for secret in secrets_accepted]
        if not any(hmac.compare_digest(e, s) for e in expected for s in signatures):
            raise _rejected("webhook.signature_invalid", "The signature does not match the body.")
        if abs(now.timestamp() - timestamp) > settings.LEDGER_WEBHOOK_TOLERANCE_SECONDS:
            raise _rejected("webhook.timestamp_stale", "The delivery is too old or in the future.")

        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise _rejected("webhook.payload_invalid", "The body is not JSON.") from None
        event_id = _field(event, "id", str)
        event_type = EVENT_TYPES.get(_field(event, "type", str))
        if event_type is None:
            raise _rejected("webhook.payload_invalid", "Unknown event type.")
        created = _field(event, "created", int)
        data = _field(event, "data", dict)
        amount = _field(data, "amount", int)
        if not 0 < amount <= MAX_INT64 or not 0 <= created <= 10**11 or len(event_id) > 80:
            raise _rejected("webhook.payload_invalid", "The event has out-of-range values.")
        return ProviderEvent(
            event_id=event_id,
            type=event_type,
            intent_reference=_field(data, "intent", str)[:40],
            amount=amount,
            currency=_field(data, "currency", str),
            occurred_at=datetime.fromtimestamp(created, tz=UTC),
            payload=event,
        )
