"""Provider webhooks over HTTP: signatures, freshness, replays and out-of-order deliveries."""

import json
import time

import pytest
from django.test import override_settings

from apps.ledger import services
from apps.ledger.models import PaymentIntentStatus, Transaction, WebhookEvent
from apps.ledger.providers import ProviderEventType, get_provider
from apps.ledger.providers.sandbox import SIGNATURE_HEADER, event_body, sign
from tests.factories import UserFactory
from tests.ledger.factories import available

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/webhooks/sandbox"


@pytest.fixture
def intent():
    return services.payment_intent_create(user=UserFactory(), amount=8_800, provider="sandbox")


def _deliver(client, body: bytes, *, signature: str | None = None, timestamp: int | None = None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {SIGNATURE_HEADER: signature or sign(body, timestamp=timestamp)}
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def _body(intent, event_type: ProviderEventType, **kwargs) -> bytes:
    return event_body(
        intent_reference=intent.reference,
        amount=kwargs.pop("amount", intent.amount),
        event_type=event_type,
        created=int(time.time()),
        **kwargs,
    )


def _state(intent) -> tuple[str, int]:
    intent.refresh_from_db()
    return intent.status, available(intent.requested_by)


def test_a_signed_success_credits_the_wallet_once(anon_client, intent) -> None:
    response = _deliver(anon_client, _body(intent, ProviderEventType.SUCCEEDED))
    assert response.status_code == 200
    assert response.json() == {"outcome": "applied", "intent_status": "succeeded"}
    assert _state(intent) == ("succeeded", 8_800)


def test_a_bad_signature_is_refused_and_changes_nothing(anon_client, intent) -> None:
    body = _body(intent, ProviderEventType.SUCCEEDED)
    now = int(time.time())
    forged = [
        sign(body, timestamp=now, secret="not-the-secret"),
        sign(body + b" ", timestamp=now),  # signature of another body
        f"t={now},v1=" + "0" * 64,
        "garbage",
        f"t={now}",
    ]
    for signature in forged:
        response = _deliver(anon_client, body, signature=signature, timestamp=now)
        assert response.status_code == 400, signature
        assert response.json()["error"]["code"] in {
            "webhook.signature_invalid",
            "webhook.signature_missing",
        }
    missing = anon_client.post(URL, data=body, content_type="application/json")
    assert missing.json()["error"]["code"] == "webhook.signature_missing"
    # A body altered after signing: the signature covers the raw bytes.
    tampered = body.replace(b'"amount":8800', b'"amount":88000')
    response = _deliver(anon_client, tampered, signature=sign(body, timestamp=now), timestamp=now)
    assert response.status_code == 400
    assert _state(intent) == ("created", 0)
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("age", [301, 3_600, -301])
def test_a_stale_or_future_timestamp_is_refused(anon_client, intent, age: int) -> None:
    body = _body(intent, ProviderEventType.SUCCEEDED)
    old = int(time.time()) - age
    response = _deliver(anon_client, body, timestamp=old)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook.timestamp_stale"
    assert _state(intent) == ("created", 0)


def test_a_timestamp_within_tolerance_is_accepted(anon_client, intent) -> None:
    body = _body(intent, ProviderEventType.SUCCEEDED)
    response = _deliver(anon_client, body, timestamp=int(time.time()) - 250)
    assert response.status_code == 200


def test_replayed_delivery_changes_nothing(anon_client, intent) -> None:
    body = _body(intent, ProviderEventType.SUCCEEDED)
    first = _deliver(anon_client, body)
    replays = [_deliver(anon_client, body) for _ in range(3)]
    assert first.json()["outcome"] == "applied"
    assert [r.json()["outcome"] for r in replays] == ["duplicate"] * 3
    assert _state(intent) == ("succeeded", 8_800)
    assert Transaction.objects.filter(kind="topup").count() == 1
    assert WebhookEvent.objects.count() == 1


def test_a_second_success_event_with_a_new_id_does_not_credit_twice(anon_client, intent) -> None:
    _deliver(anon_client, _body(intent, ProviderEventType.SUCCEEDED))
    again = _deliver(anon_client, _body(intent, ProviderEventType.SUCCEEDED))
    assert again.json() == {"outcome": "ignored", "intent_status": "succeeded"}
    assert _state(intent) == ("succeeded", 8_800)


def test_failure_arriving_after_success_is_ignored(anon_client, intent) -> None:
    """Out of order: the provider's earlier 'failed' attempt is delivered last."""
    _deliver(anon_client, _body(intent, ProviderEventType.SUCCEEDED))
    late = _deliver(anon_client, _body(intent, ProviderEventType.FAILED, reason="card declined"))
    assert late.json() == {"outcome": "ignored", "intent_status": "succeeded"}
    assert _state(intent) == ("succeeded", 8_800)


@pytest.mark.parametrize("first", [ProviderEventType.FAILED, ProviderEventType.EXPIRED])
def test_success_after_failure_or_expiry_still_credits(anon_client, intent, first) -> None:
    """The provider captured the money: a late success wins over an earlier end state."""
    _deliver(anon_client, _body(intent, first))
    assert _state(intent)[0] == first.value
    late = _deliver(anon_client, _body(intent, ProviderEventType.SUCCEEDED))
    assert late.json() == {"outcome": "applied", "intent_status": "succeeded"}
    assert _state(intent) == ("succeeded", 8_800)
    after = _deliver(anon_client, _body(intent, first))
    assert after.json()["outcome"] == "ignored"


def test_expiry_by_the_platform_then_late_success(anon_client, intent) -> None:
    from datetime import timedelta

    assert services.payment_intents_expire_due(now=intent.expires_at + timedelta(seconds=1)) == 1
    assert _state(intent) == ("expired", 0)
    _deliver(anon_client, _body(intent, ProviderEventType.SUCCEEDED))
    assert _state(intent) == ("succeeded", 8_800)
    assert services.payment_intents_expire_due(now=intent.expires_at + timedelta(days=1)) == 0


def test_amount_mismatch_and_unknown_intent_are_refused(anon_client, intent) -> None:
    mismatch = _deliver(anon_client, _body(intent, ProviderEventType.SUCCEEDED, amount=9_999))
    assert mismatch.status_code == 409
    assert mismatch.json()["error"]["code"] == "payment.amount_mismatch"
    unknown = event_body(
        intent_reference="pi_nope",
        amount=100,
        event_type=ProviderEventType.SUCCEEDED,
        created=int(time.time()),
    )
    assert _deliver(anon_client, unknown).status_code == 404
    assert _state(intent) == ("created", 0)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"id": 1}',
        json.dumps({"id": "e", "type": "payment.refunded"}).encode(),
    ],
)
def test_validly_signed_but_malformed_bodies_are_400(anon_client, body: bytes) -> None:
    response = _deliver(anon_client, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook.payload_invalid"


def test_unknown_provider_is_404(anon_client) -> None:
    response = anon_client.post(
        "/api/v1/payments/webhooks/alipay", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 404


def test_rotated_secret_is_still_accepted_during_rotation(anon_client, intent) -> None:
    body = _body(intent, ProviderEventType.SUCCEEDED)
    now = int(time.time())
    with override_settings(
        LEDGER_SANDBOX_WEBHOOK_SECRET="new-secret", LEDGER_SANDBOX_WEBHOOK_OLD_SECRETS=["old"]
    ):
        signed_with_old = sign(body, timestamp=now, secret="old")
        assert (
            _deliver(anon_client, body, signature=signed_with_old, timestamp=now).status_code == 200
        )


def test_sandbox_provider_contract() -> None:
    """What every adapter promises: a verified event round-trips; anything else is refused."""
    from datetime import UTC, datetime

    from apps.ledger.providers import WebhookRejected

    provider = get_provider("sandbox")
    now = datetime.now(tz=UTC)
    body = event_body(
        intent_reference="pi_x",
        amount=100,
        event_type=ProviderEventType.FAILED,
        created=int(now.timestamp()),
        event_id="evt_1",
    )
    headers = {SIGNATURE_HEADER: sign(body, timestamp=int(now.timestamp()))}
    event = provider.parse_webhook(headers=headers, body=body, now=now)
    assert (event.event_id, event.type, event.intent_reference, event.amount) == (
        "evt_1",
        ProviderEventType.FAILED,
        "pi_x",
        100,
    )
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(headers={}, body=body, now=now)


def test_sandbox_disabled_hides_the_provider(anon_client, settings) -> None:
    settings.LEDGER_SANDBOX_ENABLED = False
    assert get_provider("sandbox") is None
    assert anon_client.post(URL, data=b"{}", content_type="application/json").status_code == 404


def test_sandbox_cashier_pays_through_the_signed_webhook(make_client) -> None:
    user = UserFactory()
    client = make_client(user)
    created = client.post(
        "/api/v1/wallet/topups",
        {"amount": 5_000, "provider": "sandbox"},
        headers={"Idempotency-Key": "topup-1"},
    )
    assert created.status_code == 201
    intent_id = created.json()["id"]
    assert created.json()["client_payload"]["pay_path"].endswith(f"/{intent_id}/sandbox-pay")
    paid = client.post(f"/api/v1/wallet/topups/{intent_id}/sandbox-pay", {"outcome": "succeeded"})
    assert paid.status_code == 200
    assert paid.json()["status"] == "succeeded"
    assert paid.json()["transaction_id"] is not None
    assert client.post(f"/api/v1/wallet/topups/{intent_id}/sandbox-pay").status_code == 200
    assert client.get("/api/v1/wallet").json() == {"currency": "CNY", "available": 5_000, "held": 0}
    assert WebhookEvent.objects.filter(intent_id=intent_id).count() == 2


def test_sandbox_cashier_failure(make_client) -> None:
    user = UserFactory()
    client = make_client(user)
    intent = services.payment_intent_create(user=user, amount=5_000, provider="sandbox")
    failed = client.post(f"/api/v1/wallet/topups/{intent.pk}/sandbox-pay", {"outcome": "failed"})
    assert failed.json()["status"] == PaymentIntentStatus.FAILED
    assert failed.json()["failure_reason"]
    assert available(user) == 0
