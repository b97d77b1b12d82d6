"""Payouts and payment intents: every (state, action) pair walked through the services and API.

Objects reach each state the way they do in production (requests, operator decisions, provider
events, the expiry job). A legal action moves the object; an illegal one raises 409
``<machine>.illegal_transition`` and writes nothing: no money, no event row, no state change.
The provider's webhook keeps its tolerance: an event the state no longer allows is answered
200 "ignored" (recorded, never applied), decided by ``PAYMENT_INTENT_MACHINE.allows``.
"""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.core.states import IllegalTransition
from apps.ledger import services
from apps.ledger.models import (
    PAYMENT_INTENT_MACHINE,
    PAYOUT_MACHINE,
    Entry,
    PaymentIntent,
    Payout,
    PayoutEvent,
    Transaction,
    WebhookEvent,
)
from apps.ledger.providers import ProviderEventType
from apps.ledger.providers.sandbox import SIGNATURE_HEADER, event_body, sign
from tests.factories import UserFactory
from tests.ledger.factories import (
    available,
    book_is_consistent,
    funded_user,
    held,
    payout_operator,
    requested_payout,
)

pytestmark = pytest.mark.django_db

PAYOUT_MOVERS = {
    "approve": services.payout_approve,
    "reject": services.payout_reject,
    "mark_paid": services.payout_mark_paid,
    "mark_failed": services.payout_mark_failed,
}
PAYOUT_PATHS = {  # how a payout reaches each state
    "requested": [],
    "approved": ["approve"],
    "rejected": ["reject"],
    "paid": ["approve", "mark_paid"],
    "failed": ["approve", "mark_failed"],
}


def _payout_snapshot(payout: Payout) -> tuple:
    payout.refresh_from_db()
    return (
        payout.status,
        PayoutEvent.objects.count(),
        Transaction.objects.count(),
        Entry.objects.count(),
        available(payout.requested_by),
        held(payout.requested_by),
    )


@pytest.mark.parametrize(("state", "action"), list(PAYOUT_MACHINE.pairs()))
def test_payout_machine(state: str, action: str) -> None:
    creator, operator = funded_user(5_000), payout_operator()
    payout = requested_payout(creator, 2_000)
    for step in PAYOUT_PATHS[state]:
        PAYOUT_MOVERS[step](payout_id=payout.pk, operator=operator, note=step)
    before = _payout_snapshot(payout)
    assert before[0] == state
    if PAYOUT_MACHINE.allows(state, action):
        PAYOUT_MOVERS[action](payout_id=payout.pk, operator=operator, note="decided")
        after = _payout_snapshot(payout)
        assert after[0] == PAYOUT_MACHINE.transitions[(state, action)]
        event = PayoutEvent.objects.filter(payout=payout).last()
        assert (event.from_status, event.to_status, event.actor_id) == (
            state,
            after[0],
            operator.pk,
        )
    else:
        with pytest.raises(IllegalTransition) as refused:
            PAYOUT_MOVERS[action](payout_id=payout.pk, operator=operator, note="decided")
        assert (refused.value.code, refused.value.status) == ("payout.illegal_transition", 409)
        assert _payout_snapshot(payout) == before
    book_is_consistent()


EVENTS = {
    "succeed": ProviderEventType.SUCCEEDED,
    "fail": ProviderEventType.FAILED,
    "expire": ProviderEventType.EXPIRED,
}


def _intent_in(state: str) -> PaymentIntent:
    """An intent brought to ``state`` by the sandbox cashier or the expiry job."""
    intent = services.payment_intent_create(user=UserFactory(), amount=8_800, provider="sandbox")
    if state in ("succeeded", "failed"):
        services.sandbox_payment_complete(intent=intent, succeed=state == "succeeded")
    elif state == "expired":
        services.payment_intents_expire_due(now=timezone.now() + timedelta(days=1))
    intent.refresh_from_db()
    assert intent.status == state
    return intent


def _intent_snapshot(intent: PaymentIntent) -> tuple:
    intent.refresh_from_db()
    return (
        intent.status,
        Transaction.objects.count(),
        Entry.objects.count(),
        available(intent.requested_by),
    )


def _deliver(client, intent: PaymentIntent, action: str):
    body = event_body(
        intent_reference=intent.reference,
        amount=intent.amount,
        event_type=EVENTS[action],
        created=int(time.time()),
    )
    headers = {SIGNATURE_HEADER: sign(body, timestamp=int(time.time()))}
    return client.post(
        "/api/v1/payments/webhooks/sandbox",
        data=body,
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize(("state", "action"), list(PAYMENT_INTENT_MACHINE.pairs()))
def test_payment_intent_machine_through_the_webhook(anon_client, state: str, action: str) -> None:
    intent = _intent_in(state)
    before = _intent_snapshot(intent)
    events = WebhookEvent.objects.count()
    response = _deliver(anon_client, intent, action)
    assert response.status_code == 200, response.content
    assert WebhookEvent.objects.count() == events + 1  # every delivery is recorded once
    if PAYMENT_INTENT_MACHINE.allows(state, action):
        target = PAYMENT_INTENT_MACHINE.transitions[(state, action)]
        assert response.json() == {"outcome": "applied", "intent_status": target}
        assert _intent_snapshot(intent)[0] == target
        credited = 8_800 if action == "succeed" else 0
        assert _intent_snapshot(intent)[3] == before[3] + credited
    else:
        assert response.json() == {"outcome": "ignored", "intent_status": state}
        assert _intent_snapshot(intent) == before
    book_is_consistent()


@pytest.mark.parametrize(
    ("state", "action"),
    [pair for pair in PAYMENT_INTENT_MACHINE.pairs() if not PAYMENT_INTENT_MACHINE.allows(*pair)],
)
def test_payment_intent_mover_refuses_illegal_pairs_with_the_stable_code(
    state: str, action: str
) -> None:
    intent = _intent_in(state)
    before = _intent_snapshot(intent)
    with pytest.raises(IllegalTransition) as refused, transaction.atomic():
        locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        services.payment_intent_apply(intent=locked, action=action)
    assert (refused.value.code, refused.value.status) == ("payment_intent.illegal_transition", 409)
    assert f"is {state}" in refused.value.message
    assert _intent_snapshot(intent) == before


def test_the_tables_are_the_documented_ones() -> None:
    """The walks above check that the services obey the tables; this pins the tables."""
    assert PAYOUT_MACHINE.transitions == {
        ("requested", "approve"): "approved",
        ("requested", "reject"): "rejected",
        ("approved", "mark_paid"): "paid",
        ("approved", "mark_failed"): "failed",
    }
    assert PAYMENT_INTENT_MACHINE.transitions == {
        ("created", "succeed"): "succeeded",
        ("created", "fail"): "failed",
        ("created", "expire"): "expired",
        ("failed", "succeed"): "succeeded",
        ("expired", "succeed"): "succeeded",
    }
