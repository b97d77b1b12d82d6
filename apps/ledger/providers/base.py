"""The payment-provider interface every adapter implements.

An adapter knows two things about its provider: how to start a payment (the parameters a
mobile client needs to open the provider's cashier) and how to turn one webhook delivery into a
verified ``ProviderEvent`` (signature, freshness, payload). Everything else - the intent's state
machine, crediting the wallet exactly once, replays - is the ledger's and the same for all.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from apps.core.errors import InvalidInput

if TYPE_CHECKING:
    from apps.ledger.models import PaymentIntent


class ProviderEventType(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ProviderPayment:
    """What the client needs to pay: an SDK order string, a QR code URL, a cashier path."""

    client_payload: dict[str, Any]


@dataclass(frozen=True)
class ProviderEvent:
    """One verified notification about one payment."""

    event_id: str
    type: ProviderEventType
    intent_reference: str
    amount: int  # fen
    currency: str
    occurred_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)


class WebhookRejected(InvalidInput):
    """A delivery that is not provably from the provider, too old, or unreadable (400)."""

    code = "webhook.rejected"


class PaymentProvider(ABC):
    name: str = ""

    @abstractmethod
    def create_payment(self, *, intent: "PaymentIntent") -> ProviderPayment:
        """Register the payment with the provider; returns what the client opens."""

    @abstractmethod
    def parse_webhook(
        self, *, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> ProviderEvent:
        """Verify and parse one delivery; raises ``WebhookRejected``."""
