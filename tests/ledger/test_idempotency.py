"""The Idempotency-Key mechanism on the money-moving endpoints."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from apps.core.idempotency import idempotency_keys_purge, idempotent
from apps.core.models import IdempotencyKey
from apps.ledger.models import Payout, Transaction
from apps.ledger.tasks import idempotency_keys_purge as purge_task
from tests.factories import UserFactory
from tests.ledger.factories import available, funded_user

pytestmark = pytest.mark.django_db

TRANSFERS = "/api/v1/wallet/transfers"


@pytest.fixture
def sender():
    return funded_user(10_000)


@pytest.fixture
def recipient():
    return UserFactory()


def _transfer(client, recipient, amount: int, key: str | None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(TRANSFERS, {"to_user_id": recipient.pk, "amount": amount}, headers=headers)


def test_same_key_and_body_returns_the_first_response(make_client, sender, recipient) -> None:
    client = make_client(sender)
    first = _transfer(client, recipient, 700, "k-1")
    again = _transfer(client, recipient, 700, "k-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Transaction.objects.filter(kind="transfer").count() == 1
    assert available(sender) == 9_300


def test_same_key_other_body_is_422(make_client, sender, recipient) -> None:
    client = make_client(sender)
    _transfer(client, recipient, 700, "k-1")
    response = _transfer(client, recipient, 701, "k-1")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency.key_reused"
    other_endpoint = client.post(
        "/api/v1/wallet/payouts",
        {"amount": 1_000, "method": "alipay", "account_name": "x", "account_number": "abcd1234"},
        headers={"Idempotency-Key": "k-1"},
    )
    assert other_endpoint.status_code == 422
    assert available(sender) == 9_300
    assert not Payout.objects.exists()


def test_key_order_of_json_fields_does_not_matter(make_client, sender, recipient) -> None:
    client = make_client(sender)
    body_a = f'{{"to_user_id": {recipient.pk}, "amount": 5}}'
    body_b = f'{{"amount": 5,   "to_user_id": {recipient.pk}}}'
    headers = {"Idempotency-Key": "k-2"}
    first = client.post(TRANSFERS, body_a, content_type="application/json", headers=headers)
    second = client.post(TRANSFERS, body_b, content_type="application/json", headers=headers)
    assert first.content == second.content
    assert available(sender) == 9_995


def test_keys_are_per_user(make_client, sender, recipient) -> None:
    other = funded_user(10_000)
    _transfer(make_client(sender), recipient, 100, "shared")
    response = _transfer(make_client(other), recipient, 100, "shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert available(recipient) == 200


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (None, "idempotency.key_required"),
        ("", "idempotency.key_invalid"),
        ("x" * 256, "idempotency.key_invalid"),
        ("has space", "idempotency.key_invalid"),
    ],
)
def test_missing_or_malformed_key_is_400(make_client, sender, recipient, key, code) -> None:
    response = _transfer(make_client(sender), recipient, 100, key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert available(sender) == 10_000
    assert not IdempotencyKey.objects.exists()


def test_a_refusal_is_remembered_like_a_success(make_client, sender, recipient) -> None:
    """Same key, same body, same answer - even after the balance would now allow it."""
    client = make_client(sender)
    refused = _transfer(client, recipient, 20_000, "big")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "wallet.insufficient_funds"
    from tests.ledger.factories import top_up

    top_up(sender, 20_000)
    again = _transfer(client, recipient, 20_000, "big")
    assert again.status_code == 409
    assert again.content == refused.content
    assert available(recipient) == 0


def test_a_server_error_keeps_no_key_so_a_retry_runs(user) -> None:
    calls: list[int] = []

    class Flaky(APIView):
        @idempotent
        def post(self, request):
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("database went away")
            return Response({"ok": True}, status=201)

    factory = APIRequestFactory()

    def call():
        request = factory.post("/x", {"a": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        force_authenticate(request, user=user)
        return Flaky.as_view()(request)

    assert call().status_code == 500
    assert not IdempotencyKey.objects.exists()
    assert call().status_code == 201
    assert call().status_code == 201
    assert len(calls) == 2


def test_keys_are_kept_at_least_24_hours_then_purged(make_client, sender, recipient) -> None:
    _transfer(make_client(sender), recipient, 100, "old")
    record = IdempotencyKey.objects.get()
    assert record.expires_at - record.created_at >= timedelta(hours=24)
    assert idempotency_keys_purge(now=timezone.now() + timedelta(hours=23)) == 0
    assert idempotency_keys_purge(now=record.expires_at + timedelta(seconds=1)) == 1
    assert purge_task() == 0
