"""The promotion API: quote, pay with an Idempotency-Key, list, stop, report and its CSV."""

import pytest
from django.test import TestCase

from apps.promotion import services
from apps.promotion.models import PromotionOrder
from tests.ledger.factories import available
from tests.promotion.factories import audience, creator_with_note, paid_order, serve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pacing_ceiling(settings) -> None:
    settings.PROMOTION_PACING_LEAD_SECONDS = 10 * 24 * 3600


def _body(note, **changes) -> dict:
    body = {
        "note_id": note.pk,
        "objective": "engagement",
        "budget": 20_000,
        "duration_hours": 24,
        "targeting_mode": "smart",
    }
    body.update(changes)
    return body


def test_quote_endpoint(make_client, settings) -> None:
    settings.PROMOTION_CPM_FEN = 2_000
    creator, note = creator_with_note()
    audience(3)
    response = make_client(creator).post("/api/v1/promotion/quotes", _body(note), format="json")
    assert response.status_code == 200, response.content
    quote = response.json()
    assert quote["estimated_impressions"] == 10_000
    assert quote["audience_size"] == 3 and quote["audience"] == {"interests": [note.category_id]}
    assert quote["results_low"] <= quote["results_high"]


def test_quote_refusals_are_clear_4xx(make_client) -> None:
    creator, note = creator_with_note()
    client = make_client(creator)
    bad = client.post("/api/v1/promotion/quotes", _body(note, budget=7_501), format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "promotion.budget_invalid"
    small = client.post("/api/v1/promotion/quotes", _body(note), format="json")
    assert small.status_code == 400  # nobody is interested in the category yet
    assert small.json()["error"]["code"] == "promotion.audience_too_small"
    missing = client.post("/api/v1/promotion/quotes", _body(note, note_id=10**15), format="json")
    assert missing.status_code == 404


def test_paying_is_idempotent_and_needs_a_key(make_client) -> None:
    creator, note = creator_with_note(money=50_000)
    audience(2)
    client = make_client(creator)
    assert client.post("/api/v1/promotion/orders", _body(note), format="json").status_code == 400
    headers = {"Idempotency-Key": "order-1"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.post("/api/v1/promotion/orders", _body(note), format="json", headers=headers)
    again = client.post("/api/v1/promotion/orders", _body(note), format="json", headers=headers)
    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert first.json()["status"] == "active"
    assert PromotionOrder.objects.filter(creator=creator).count() == 1
    assert available(creator) == 30_000
    second = client.post(
        "/api/v1/promotion/orders", _body(note), format="json", headers={"Idempotency-Key": "2"}
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "promotion.note_has_live_order"


def test_list_detail_stop_and_report(make_client, settings) -> None:
    settings.PROMOTION_CPM_FEN = 3_000
    creator, note = creator_with_note(money=50_000)
    viewers = audience(3)
    order = paid_order(creator, note, objective="reads")
    client = make_client(creator)
    serve(order, viewers)
    listed = client.get("/api/v1/promotion/orders?status=active").json()["results"]
    assert [row["id"] for row in listed] == [order.pk]
    assert client.get("/api/v1/promotion/orders?status=completed").json()["results"] == []
    assert client.get(f"/api/v1/promotion/orders/{order.pk}").json()["status"] == "active"
    with TestCase.captureOnCommitCallbacks(execute=True):
        stopped = client.post(
            f"/api/v1/promotion/orders/{order.pk}/stop", headers={"Idempotency-Key": "stop-1"}
        )
    assert stopped.status_code == 200, stopped.content
    assert (stopped.json()["status"], stopped.json()["spent"]) == ("stopped", 9)
    assert stopped.json()["refunded"] == 20_000 - 9
    again = client.post(
        f"/api/v1/promotion/orders/{order.pk}/stop", headers={"Idempotency-Key": "stop-2"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "promotion_order.illegal_transition"
    report = client.get(f"/api/v1/promotion/orders/{order.pk}/report")
    assert report.status_code == 200, report.content
    body = report.json()
    assert body["totals"]["impressions"] == 3
    assert sum(hour["impressions"] for hour in body["hours"]) == 3
    assert body["results"] == 0 and body["cost_per_result"] is None
    csv = client.get(f"/api/v1/promotion/orders/{order.pk}/report/csv")
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0] == "hour,impressions,reads,likes_collects,new_fans,ctr"
    assert lines[-2].startswith("total,3,0,0,0")


def test_reads_from_the_promotion_count_as_results(make_client, settings) -> None:
    settings.PROMOTION_CPM_FEN = 3_000
    creator, note = creator_with_note(money=50_000)
    viewers = audience(2)
    order = paid_order(creator, note, objective="reads")
    serve(order, viewers)
    services.promotion_tick()
    reader = make_client(viewers[0])
    sent = reader.post(
        "/api/v1/events",
        {
            "events": [
                {
                    "client_event_id": "read-1",
                    "kind": "view",
                    "source": "promotion",
                    "source_id": order.pk,
                    "note_id": note.pk,
                    "dwell_ms": 5000,
                }
            ]
        },
        format="json",
    )
    assert sent.json()["stored"] == 1
    body = make_client(creator).get(f"/api/v1/promotion/orders/{order.pk}/report").json()
    assert (body["totals"]["reads"], body["results"]) == (1, 1)
    assert body["ctr"] == 0.5 and body["cost_per_result"] == 6


def test_redis_down_is_a_503_that_changes_nothing_and_the_feed_still_answers(
    make_client, monkeypatch, settings
) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    from apps.promotion.counters import RedisCounters, counters

    hot = counters()
    if not isinstance(hot, RedisCounters):
        pytest.skip("needs the Redis counters (REDIS_URL)")
    creator, note = creator_with_note(money=50_000)
    viewers = audience(2)
    order = paid_order(creator, note)

    def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(hot.client, "pipeline", down)
    monkeypatch.setattr(hot.client, "get", down)
    response = make_client(creator).post(
        f"/api/v1/promotion/orders/{order.pk}/stop", headers={"Idempotency-Key": "stop-down"}
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "promotion.counters_unavailable"
    order.refresh_from_db()
    assert (order.status, order.refunded) == ("active", 0)
    feed = make_client(viewers[0]).get("/api/v1/feed/discover?page_size=10")
    assert feed.status_code == 200
