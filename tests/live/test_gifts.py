"""Gifts through the ledger's ``gift`` move: the API, idempotency and a crowd gifting at once."""

import random

import pytest
from django.conf import settings
from django.db import connection

from apps.ledger.models import Transaction, TransactionKind
from apps.ledger.selectors import account_balance
from apps.ledger.services import gift_fee, reconciliation_run
from apps.live.models import ChatMessage, GiftKind, RoomGift
from tests.concurrency import client_for, run_concurrently
from tests.factories import UserFactory
from tests.ledger.factories import available, funded_user
from tests.live.conftest import make_room

PRICE = 300


@pytest.fixture
def rose(db) -> GiftKind:
    return GiftKind.objects.create(name="Rose", price=PRICE, icon="rose")


def _send(client, room_id: int, gift_id: int, key: str, count: int = 1):
    return client.post(
        f"/api/v1/live/rooms/{room_id}/gifts",
        {"gift_id": gift_id, "count": count},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_gift_pays_the_host_minus_the_platform_share_once_per_key(
    live_room, host, rose, make_client
) -> None:
    viewer = funded_user(10_000)
    client = make_client(viewer)
    first = _send(client, live_room.pk, rose.pk, "gift-1", count=3)
    assert first.status_code == 201, first.json()
    again = _send(client, live_room.pk, rose.pk, "gift-1", count=3)
    assert again.json() == first.json()
    fee = gift_fee(3 * PRICE, settings.LIVE_GIFT_PLATFORM_SHARE)
    assert available(viewer) == 10_000 - 3 * PRICE
    assert available(host) == 3 * PRICE - fee
    assert RoomGift.objects.get().income == 3 * PRICE - fee
    assert ChatMessage.objects.get(kind="gift").text == "sent Rose x3"


def test_gifts_are_refused_when_the_room_is_not_live_or_money_is_short(
    host, rose, make_client
) -> None:
    scheduled = make_room(host, live=False)
    viewer = funded_user(PRICE)
    client = make_client(viewer)
    response = _send(client, scheduled.pk, rose.pk, "k1")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "room.not_live")
    live = make_room(UserFactory())
    response = _send(client, live.pk, rose.pk, "k2", count=2)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wallet.insufficient_funds"
    response = _send(make_client(live.host), live.pk, rose.pk, "k3")
    assert response.json()["error"]["code"] == "gift.self"
    assert available(viewer) == PRICE
    assert not RoomGift.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hundred_viewers_gifting_at_once_leave_exact_balances(live_room, host, rose) -> None:
    """200 viewers, each with money for two gifts, send three (one replayed key among them)
    from 30 threads (the shared server allows ~100 connections): every viewer ends with the
    change of two gifts, the host has exactly 400 gifts' income, reconciliation is clean."""
    assert connection.vendor == "postgresql"
    viewers = [funded_user(2 * PRICE + 50) for _ in range(200)]
    requests = [(viewer, f"gift-{viewer.pk}-{n}") for viewer in viewers for n in range(3)]
    requests += [(viewer, f"gift-{viewer.pk}-0") for viewer in viewers[:20]]  # replays
    random.Random(7).shuffle(requests)
    threads = 30

    def chunk(part: list) -> list[int]:
        statuses = []
        for viewer, key in part:
            statuses.append(_send(client_for(viewer), live_room.pk, rose.pk, key).status_code)
        return statuses

    results = run_concurrently([lambda p=requests[t::threads]: chunk(p) for t in range(threads)])
    statuses = [status for result in results for status in result]
    # Each viewer's third gift is refused (insufficient funds, whichever key lost the race);
    # the 20 replays answer what their first request got.
    assert len(statuses) == 620 and set(statuses) == {201, 409}
    assert 400 <= statuses.count(201) <= 420
    fee = gift_fee(PRICE, settings.LIVE_GIFT_PLATFORM_SHARE)
    assert available(host) == 400 * (PRICE - fee)
    assert all(available(viewer) == 50 for viewer in viewers)
    assert RoomGift.objects.count() == 400
    assert account_balance(owner_type="platform", owner_id=0, kind="platform_revenue") >= 400 * fee
    report = reconciliation_run()
    assert report.difference_count == 0 and report.ledger_total == 0
    assert Transaction.objects.filter(kind=TransactionKind.GIFT).count() == 400
