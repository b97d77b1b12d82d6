"""The shelf over commerce's seam, post-live reports from analytics events, chat reports."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.accounts.services import follow_create
from apps.analytics.kinds import EventKind, EventSource
from apps.analytics.services import server_event_record
from apps.commerce import selectors as commerce
from apps.commerce.models import Product
from apps.commerce.services import links as commerce_links
from apps.commerce.services import pool
from apps.live import services
from apps.live.models import ChatMessage, MessageVisibility, Report, ShelfItem
from apps.live.tasks import live_report_compute
from apps.moderation.models import Case
from config.celery_app import app as celery_app
from tests.commerce.factories import buy, click, make_product, make_store
from tests.factories import UserFactory
from tests.ledger.factories import funded_user
from tests.live.conftest import make_room
from tests.workers import database_url, stop, unique_name

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def showcase(host) -> list[int]:
    """Three products on sale in a verified brand's store, in the host's showcase."""
    store = make_store()
    products = [make_product(store, title=f"好物 {n}") for n in range(3)]
    for product in products:
        pool.showcase_add(creator=host, product_id=product.pk)
    return [product.pk for product in products]


def test_a_product_outside_the_hosts_showcase_cannot_be_added(live_room, host, make_client) -> None:
    response = make_client(host).post(
        f"/api/v1/live/rooms/{live_room.pk}/shelf", {"product_ids": [11]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "shelf.product_unknown"
    assert not ShelfItem.objects.exists()


def test_the_host_fills_orders_and_pins_the_shelf(live_room, host, make_client, showcase) -> None:
    first, second, third = showcase
    client = make_client(host)
    url = f"/api/v1/live/rooms/{live_room.pk}/shelf"
    refused = client.post(url, {"product_ids": [first, 999_999]}, format="json")
    assert refused.json()["error"]["fields"] == {"product_ids": ["999999"]}
    assert not ShelfItem.objects.exists()  # nothing added when one id is unknown
    added = client.post(url, {"product_ids": [second, first, third]}, format="json").json()
    assert [item["product_id"] for item in added] == [second, first, third]
    order = client.put(f"{url}/order", {"product_ids": [third, second, first]}, format="json")
    assert [item["product_id"] for item in order.json()] == [third, second, first]
    pinned = client.post(f"{url}/pin", {"product_id": second}, format="json").json()
    assert [item["product_id"] for item in pinned if item["pinned"]] == [second]
    assert client.post(f"{url}/pin", {"product_id": first}, format="json").status_code == 200
    pinned_ids = ShelfItem.objects.filter(pinned=True).values_list("product_id", flat=True)
    assert list(pinned_ids) == [first]
    assert client.delete(f"{url}/{third}").status_code == 204
    moderator = UserFactory()
    services.moderator_add(host=host, user_id=moderator.pk, room=live_room)
    response = make_client(moderator).post(url, {"product_ids": [third]}, format="json")
    assert response.status_code == 404  # the shelf is the host's alone


def test_an_order_through_the_shelf_carries_the_room(
    live_room, host, make_client, showcase
) -> None:
    first = showcase[0]
    client = make_client(host)
    client.post(f"/api/v1/live/rooms/{live_room.pk}/shelf", {"product_ids": [first]}, format="json")
    shelf = client.get(f"/api/v1/live/rooms/{live_room.pk}/shelf").json()
    code = shelf[0]["card"]["link_code"]
    general = commerce_links.tracked_link(creator_id=host.pk, product_id=first)
    assert code != general  # the room's own link, not the host's general one
    buyer = funded_user(100_000)
    assert click(code, buyer)
    order = buy(buyer, Product.objects.get(pk=first))
    assert list(order.lines.values_list("room_id", flat=True)) == [live_room.pk]
    assert commerce.room_sales(live_room.pk)["orders"] == 1


def test_the_report_reads_the_rooms_events(live_room, host) -> None:
    viewer, fan = UserFactory(), UserFactory()
    live = {"source": EventSource.LIVE, "source_id": live_room.pk, "target_user_id": host.pk}
    server_event_record(
        kind=EventKind.LIVE_WATCH, actor_id=viewer.pk, properties={"watch_ms": 120_000}, **live
    )
    server_event_record(
        kind=EventKind.LIVE_WATCH, actor_id=viewer.pk, properties={"watch_ms": 60_000}, **live
    )
    server_event_record(
        kind=EventKind.LIVE_WATCH, actor_id=None, properties={"watch_ms": 30_000}, **live
    )
    server_event_record(kind=EventKind.LIVE_CHAT, actor_id=viewer.pk, **live)
    server_event_record(kind=EventKind.LIVE_LIKE, actor_id=None, properties={"count": 40}, **live)
    server_event_record(
        kind=EventKind.LIVE_GIFT,
        actor_id=viewer.pk,
        properties={"count": 2, "amount": 600, "income": 420},
        **live,
    )
    follow_create(follower=fan, followee_id=host.pk, source="live", source_id=live_room.pk)
    server_event_record(kind=EventKind.FOLLOW, actor_id=fan.pk, **live)
    other = make_room(UserFactory())
    server_event_record(
        kind=EventKind.LIVE_CHAT, actor_id=viewer.pk, source=EventSource.LIVE, source_id=other.pk
    )  # another room's event does not count
    room = services.room_end(room_id=live_room.pk, by="host")
    report = services.report_compute(room_id=room.pk)
    assert (report.unique_viewers, report.watch_seconds) == (2, 210)
    assert (report.chat_messages, report.likes) == (1, 40)
    assert (report.gifts_count, report.gifts_income) == (2, 420)
    assert report.new_fans >= 1
    assert report.duration_seconds == room.duration_seconds
    assert services.report_compute(room_id=room.pk).pk == report.pk  # recomputed in place


def test_a_reported_chat_message_reaches_the_moderation_queue(live_room, make_client) -> None:
    author, reporter = UserFactory(), UserFactory()
    message = ChatMessage.objects.create(room=live_room, author=author, text="rude")
    response = make_client(reporter).post(
        "/api/v1/reports",
        {"target": "live_chat_message", "object_id": message.pk, "reason": "abuse"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Case.objects.filter(target_key="live_chat_message", object_id=message.pk).exists()
    services.message_moderation_set(message, "hidden")
    message.refresh_from_db()
    assert message.visibility == MessageVisibility.HIDDEN


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_report_task_runs_on_a_real_worker(host, tmp_path: Path) -> None:
    if not settings.REDIS_URL:
        pytest.skip("needs a broker (REDIS_URL)")
    room = make_room(host)
    Report.objects.all().delete()
    services.room_end(room_id=room.pk, by="host")
    Report.objects.all().delete()  # the in-process run of the end; the worker must redo it
    queue = unique_name("live-report")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHE_KEY_PREFIX,
        "CELERY_QUEUE": queue,
    }
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        celery_app.conf.task_always_eager = False
        live_report_compute.apply_async(args=[room.pk], queue=queue)
        deadline = time.monotonic() + 120
        while not Report.objects.filter(room=room).exists():
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.5)
    finally:
        stop(worker)
        log.close()
    assert Report.objects.get(room=room).duration_seconds == room.duration_seconds
