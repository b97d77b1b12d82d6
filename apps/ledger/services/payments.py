"""Top-ups: payment intents, provider webhooks and the sandbox cashier.

An intent moves through ``PAYMENT_INTENT_MACHINE`` (``models``). Providers deliver events late,
twice or out of order: the webhook asks the machine whether the event still applies
(``allows``) and records an event that no longer does as "ignored" instead of failing, so the
provider stops retrying; only ``payment_intent_apply`` moves an intent, and it raises
``payment_intent.illegal_transition`` (409) for a move the table does not allow.
"""

import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.ledger.models import (
    PAYMENT_INTENT_MACHINE,
    AccountKind,
    OwnerType,
    PaymentIntent,
    TransactionKind,
    WebhookEvent,
)
from apps.ledger.providers import ProviderEventType, get_provider
from apps.ledger.providers import sandbox as sandbox_provider
from apps.ledger.services.accounts import system_account
from apps.ledger.services.owners import owner_wallet
from apps.ledger.services.posting import check_amount, transaction_post

logger = logging.getLogger(__name__)

EVENT_ACTION = {
    ProviderEventType.SUCCEEDED: "succeed",
    ProviderEventType.FAILED: "fail",
    ProviderEventType.EXPIRED: "expire",
}


def payment_intent_create(*, user: User, amount: int, provider: str) -> PaymentIntent:
    """Start a top-up of the user's own wallet, paid at the provider within its lifetime."""
    return owner_payment_intent_create(
        owner_type=OwnerType.USER,
        owner_id=user.pk,
        requested_by=user,
        amount=amount,
        provider=provider,
    )


def owner_payment_intent_create(
    *, owner_type: str, owner_id: int, requested_by: User, amount: int, provider: str
) -> PaymentIntent:
    """Start a top-up of an owner's wallet; the caller has checked ``requested_by`` may."""
    adapter = get_provider(provider)
    if adapter is None:
        raise InvalidInput(
            "This payment provider is not available.",
            code="payment.provider_unavailable",
            fields={"provider": ["Not available."]},
        )
    check_amount(amount, minimum=settings.LEDGER_TOPUP_MIN_FEN)
    now = timezone.now()
    with transaction.atomic():
        intent = PaymentIntent.objects.create(
            reference=f"pi_{secrets.token_hex(12)}",
            owner_type=owner_type,
            owner_id=owner_id,
            requested_by=requested_by,
            account=owner_wallet(owner_type=owner_type, owner_id=owner_id),
            provider=provider,
            amount=amount,
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(minutes=settings.LEDGER_PAYMENT_INTENT_TTL_MINUTES),
        )
        intent.provider_payload = adapter.create_payment(intent=intent).client_payload
        intent.save(update_fields=["provider_payload"])
    return intent


def payment_intent_apply(*, intent: PaymentIntent, action: str, reason: str = "") -> PaymentIntent:
    """Apply one provider event to the intent, or ``IllegalTransition`` (409) writing nothing.

    Caller holds the intent's row lock; a success posts the top-up (provider clearing -> wallet),
    keyed by the intent so it can never be credited twice.
    """
    PAYMENT_INTENT_MACHINE.move(intent, action)
    now = timezone.now()
    if action == "succeed":
        intent.transaction = transaction_post(
            kind=TransactionKind.TOPUP,
            legs=[
                (system_account(AccountKind.PROVIDER_CLEARING), -intent.amount),
                (intent.account_id, intent.amount),
            ],
            description=f"Top-up via {intent.provider} ({intent.reference})",
            key=f"topup:{intent.reference}",
        )
        intent.succeeded_at = now
        intent.failure_reason = ""
    else:
        intent.failure_reason = reason[:200]
    intent.updated_at = now
    intent.save(
        update_fields=["status", "transaction", "succeeded_at", "failure_reason", "updated_at"]
    )
    return intent


@dataclass(frozen=True)
class WebhookResult:
    outcome: str  # "applied", "ignored" (state already final) or "duplicate" (event seen before)
    intent: PaymentIntent


def payment_webhook_receive(
    *, provider: str, headers: Mapping[str, str], body: bytes, now: datetime | None = None
) -> WebhookResult:
    """Verify one provider delivery and apply it once; repeats and late events change nothing."""
    adapter = get_provider(provider)
    if adapter is None:
        raise NotFound("Unknown payment provider.", code="payment.provider_unknown")
    event = adapter.parse_webhook(headers=headers, body=body, now=now or timezone.now())
    with transaction.atomic(durable=True):
        intent = (
            PaymentIntent.objects.select_for_update()
            .filter(reference=event.intent_reference, provider=provider)
            .first()
        )
        if intent is None:
            raise NotFound("No such payment intent.", code="payment.intent_not_found")
        if WebhookEvent.objects.filter(provider=provider, event_id=event.event_id).exists():
            return WebhookResult(outcome="duplicate", intent=intent)
        if event.amount != intent.amount or event.currency != intent.currency:
            logger.warning("Webhook %s: amount mismatch on %s", event.event_id, intent.reference)
            raise Conflict(
                "The notified amount differs from the intent's.", code="payment.amount_mismatch"
            )
        action = EVENT_ACTION[event.type]
        # A late or out-of-order event (a failure after the success) is recorded, not applied.
        applied = PAYMENT_INTENT_MACHINE.allows(intent.status, action)
        if applied:
            payment_intent_apply(
                intent=intent,
                action=action,
                reason=str(event.payload.get("data", {}).get("reason", "")),
            )
        outcome = WebhookEvent.Outcome.APPLIED if applied else WebhookEvent.Outcome.IGNORED
        WebhookEvent.objects.create(
            provider=provider,
            event_id=event.event_id,
            event_type=event.type,
            intent=intent,
            outcome=outcome,
            payload=event.payload,
            occurred_at=event.occurred_at,
        )
    return WebhookResult(outcome=outcome, intent=intent)


def sandbox_payment_complete(*, intent: PaymentIntent, succeed: bool) -> WebhookResult:
    """The sandbox cashier: the payer pays (or the payment fails) and the signed webhook follows.

    Goes through the same signature check and state machine as any provider's delivery.
    """
    if intent.provider != sandbox_provider.SandboxProvider.name or get_provider("sandbox") is None:
        raise NotFound("This intent is not payable in the sandbox.", code="payment.not_sandbox")
    event_type = ProviderEventType.SUCCEEDED if succeed else ProviderEventType.FAILED
    timestamp = int(time.time())
    body = sandbox_provider.event_body(
        intent_reference=intent.reference,
        amount=intent.amount,
        event_type=event_type,
        created=timestamp,
        reason="" if succeed else "Declined by the sandbox payer.",
    )
    headers = {sandbox_provider.SIGNATURE_HEADER: sandbox_provider.sign(body, timestamp=timestamp)}
    return payment_webhook_receive(provider="sandbox", headers=headers, body=body)


def payment_intents_expire_due(*, now: datetime | None = None) -> int:
    """Expire unpaid intents past their lifetime, in one statement; returns how many.

    A concurrent webhook holds the row lock; PostgreSQL re-checks ``status`` after waiting, so an
    intent that just succeeded is left alone.
    """
    now = now or timezone.now()
    (expired,) = PAYMENT_INTENT_MACHINE.targets("expire")
    return PaymentIntent.objects.filter(
        status__in=PAYMENT_INTENT_MACHINE.sources("expire"), expires_at__lt=now
    ).update(status=expired, updated_at=now)
