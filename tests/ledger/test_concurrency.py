"""Money under concurrent requests (PostgreSQL: real row locks, one connection per thread)."""

import time
from collections import Counter

import pytest
from rest_framework.test import APIClient

from apps.ledger import services
from apps.ledger.models import PaymentIntent, Transaction, WebhookEvent
from apps.ledger.providers import ProviderEventType
from apps.ledger.providers.sandbox import SIGNATURE_HEADER, event_body, sign
from tests.concurrency import client_for, run_concurrently
from tests.factories import UserFactory
from tests.ledger.factories import available, book_is_consistent, funded_user, held

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_spends_of_one_yuan_from_thirty_yuan_exactly_thirty_succeed() -> None:
    spender, shop = funded_user(3_000), UserFactory()

    def spend(index: int):
        response = client_for(spender).post(
            "/api/v1/wallet/transfers",
            {"to_user_id": shop.pk, "amount": 100},
            headers={"Idempotency-Key": f"spend-{index}"},
        )
        return response.status_code, response.json()

    results = run_concurrently([lambda i=i: spend(i) for i in range(50)])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 30, 409: 20}, results
    refusals = {body["error"]["code"] for status, body in results if status == 409}
    assert refusals == {"wallet.insufficient_funds"}
    assert available(spender) == 0
    assert available(shop) == 3_000
    assert Transaction.objects.filter(kind="transfer").count() == 30
    assert services.reconciliation_run().is_clean
    book_is_consistent()


def test_twenty_concurrent_requests_with_one_key_make_one_transaction() -> None:
    spender, shop = funded_user(3_000), UserFactory()

    def send():
        response = client_for(spender).post(
            "/api/v1/wallet/transfers",
            {"to_user_id": shop.pk, "amount": 250},
            headers={"Idempotency-Key": "one-key"},
        )
        return response.status_code, response.content

    results = run_concurrently([send] * 20)
    assert all(not isinstance(r, Exception) for r in results), results
    assert {status for status, _ in results} == {201}
    assert len({content for _, content in results}) == 1  # identical bodies
    assert Transaction.objects.filter(kind="transfer").count() == 1
    assert (available(spender), available(shop)) == (2_750, 250)


def test_concurrent_payout_requests_never_hold_more_than_the_balance() -> None:
    creator = funded_user(5_000)

    def ask(index: int) -> int:
        return (
            client_for(creator)
            .post(
                "/api/v1/wallet/payouts",
                {
                    "amount": 1_000,
                    "method": "wechat",
                    "account_name": "c",
                    "account_number": "wx123456",
                },
                headers={"Idempotency-Key": f"payout-{index}"},
            )
            .status_code
        )

    results = run_concurrently([lambda i=i: ask(i) for i in range(12)])
    assert Counter(results) == {201: 5, 409: 7}
    assert (available(creator), held(creator)) == (0, 5_000)
    book_is_consistent()


def test_opposite_transfers_between_many_wallets_do_not_deadlock() -> None:
    users = [funded_user(10_000) for _ in range(4)]
    actions = []
    for a in users:
        for b in users:
            if a != b:
                actions.append(
                    lambda a=a, b=b: (
                        services.wallet_transfer(sender=a, recipient_id=b.pk, amount=7).pk
                    )
                )
    results = run_concurrently(actions * 2)
    assert all(isinstance(r, int) for r in results), results
    assert all(available(u) == 10_000 for u in users)  # each sent and received the same
    assert services.reconciliation_run().is_clean


def test_concurrent_deliveries_of_one_webhook_credit_once() -> None:
    intent = services.payment_intent_create(user=UserFactory(), amount=6_600, provider="sandbox")
    now = int(time.time())
    body = event_body(
        intent_reference=intent.reference,
        amount=intent.amount,
        event_type=ProviderEventType.SUCCEEDED,
        created=now,
        event_id="evt_once",
    )
    headers = {SIGNATURE_HEADER: sign(body, timestamp=now)}

    def deliver():
        response = APIClient().post(
            "/api/v1/payments/webhooks/sandbox",
            data=body,
            content_type="application/json",
            headers=headers,
        )
        return response.json()["outcome"]

    results = run_concurrently([deliver] * 10)
    assert sorted(results) == ["applied"] + ["duplicate"] * 9
    intent = PaymentIntent.objects.get(pk=intent.pk)
    assert intent.status == "succeeded"
    assert available(intent.requested_by) == 6_600
    assert WebhookEvent.objects.count() == 1


def test_expiry_racing_a_success_never_loses_the_money() -> None:
    intent = services.payment_intent_create(user=UserFactory(), amount=1_000, provider="sandbox")
    results = run_concurrently(
        [
            lambda: services.sandbox_payment_complete(intent=intent, succeed=True).outcome,
            lambda: services.payment_intents_expire_due(now=intent.expires_at.replace(year=2100)),
        ]
    )
    assert "applied" in results
    intent.refresh_from_db()
    assert intent.status == "succeeded"  # a success wins whichever commits first
    assert available(intent.requested_by) == 1_000
