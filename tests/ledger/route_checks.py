"""Object-permission checks for the ledger routes (collected by tests/core).

The victim has money, history, a pending top-up and a pending payout; the attacker tries to
read or move them through every route and must see only their own (empty) wallet.
"""

import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apps.ledger import services
from apps.ledger.models import PaymentIntent, Payout
from apps.ledger.providers import ProviderEventType
from apps.ledger.providers.sandbox import SIGNATURE_HEADER, event_body, sign
from apps.ledger.selectors import user_wallet_balance
from tests.factories import UserFactory
from tests.ledger.factories import requested_payout, top_up


def _victim_money(victim) -> tuple[PaymentIntent, Payout]:
    top_up(victim, 10_000)
    services.wallet_transfer(sender=victim, recipient_id=UserFactory().pk, amount=500)
    payout = requested_payout(victim, 2_000)
    pending = services.payment_intent_create(user=victim, amount=3_000, provider="sandbox")
    return pending, payout


def _unchanged(victim, pending: PaymentIntent, payout: Payout) -> None:
    balance = user_wallet_balance(user=victim)
    assert (balance.available, balance.held) == (7_500, 2_000)
    pending.refresh_from_db()
    payout.refresh_from_db()
    assert (pending.status, payout.status) == ("created", "requested")


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"attack-{time.monotonic_ns()}"}


def _wallet(client, victim) -> None:
    state = _victim_money(victim)
    assert client.get("/api/v1/wallet").json()["available"] == 0
    _unchanged(victim, *state)


def _wallet_entries(client, victim) -> None:
    state = _victim_money(victim)
    assert client.get("/api/v1/wallet/entries").json()["results"] == []
    _unchanged(victim, *state)


def _wallet_statement(client, victim) -> None:
    state = _victim_money(victim)
    month = datetime.now(tz=ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    response = client.get("/api/v1/wallet/statement", {"month": month})
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert len(lines) == 1  # the header only: none of the victim's entries
    _unchanged(victim, *state)


def _wallet_transfer(client, victim) -> None:
    state = _victim_money(victim)
    # Money always leaves the requester's own wallet; the attacker's is empty.
    response = client.post(
        "/api/v1/wallet/transfers",
        {"to_user_id": client.attacker.pk, "amount": 100, "from_user_id": victim.pk},
        headers=_key(),
    )
    assert response.status_code == 409
    _unchanged(victim, *state)


def _wallet_topups(client, victim) -> None:
    state = _victim_money(victim)
    assert client.get("/api/v1/wallet/topups").json()["results"] == []
    _unchanged(victim, *state)


def _wallet_topup(client, victim) -> None:
    pending, payout = _victim_money(victim)
    assert client.get(f"/api/v1/wallet/topups/{pending.pk}").status_code == 404
    _unchanged(victim, pending, payout)


def _wallet_topup_sandbox_pay(client, victim) -> None:
    pending, payout = _victim_money(victim)
    for outcome in ("succeeded", "failed"):
        response = client.post(
            f"/api/v1/wallet/topups/{pending.pk}/sandbox-pay", {"outcome": outcome}
        )
        assert response.status_code == 404
    _unchanged(victim, pending, payout)


def _wallet_payouts(client, victim) -> None:
    state = _victim_money(victim)
    assert client.get("/api/v1/wallet/payouts").json()["results"] == []
    _unchanged(victim, *state)


def _wallet_payout(client, victim) -> None:
    pending, payout = _victim_money(victim)
    assert client.get(f"/api/v1/wallet/payouts/{payout.pk}").status_code == 404
    _unchanged(victim, pending, payout)


def _payment_webhook(client, victim) -> None:
    """Unsigned or self-signed 'succeeded' events for the victim's intent change nothing."""
    pending, payout = _victim_money(victim)
    now = int(time.time())
    body = event_body(
        intent_reference=pending.reference,
        amount=pending.amount,
        event_type=ProviderEventType.SUCCEEDED,
        created=now,
    )
    for headers in ({}, {SIGNATURE_HEADER: sign(body, timestamp=now, secret="guessed")}):
        response = client.post(
            "/api/v1/payments/webhooks/sandbox",
            data=body,
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 400
    _unchanged(victim, pending, payout)


ROUTE_CHECKS: dict[str, Callable] = {
    "wallet": _wallet,
    "wallet-entries": _wallet_entries,
    "wallet-statement": _wallet_statement,
    "wallet-transfer": _wallet_transfer,
    "wallet-topups": _wallet_topups,
    "wallet-topup": _wallet_topup,
    "wallet-topup-sandbox-pay": _wallet_topup_sandbox_pay,
    "wallet-payouts": _wallet_payouts,
    "wallet-payout": _wallet_payout,
    "payment-webhook": _payment_webhook,
}
