"""Delivery through the discovery feed API: who gets a promoted note, how often, at what cost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Block
from apps.notes.models import Note
from apps.promotion import billing
from apps.promotion.counters import counters
from apps.promotion.models import OrderStatus, PromotionOrder
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory, category
from tests.promotion.factories import audience, creator_with_note, paid_order

pytestmark = pytest.mark.django_db
FEED = "/api/v1/feed/discover?page_size=10"


@pytest.fixture(autouse=True)
def _no_pacing_ceiling(settings) -> None:
    settings.PROMOTION_PACING_LEAD_SECONDS = 10 * 24 * 3600


def _promoted(client) -> list[int]:
    response = client.get(FEED)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"] if row["promoted"]]


@pytest.fixture
def promoted_note():
    """An active smart order on a beauty note ranked below every organic page, 12 organic
    notes to fill a page of 10."""
    NoteFactory.create_batch(12, category=category("tech"))
    creator, note = creator_with_note()
    Note.objects.filter(pk=note.pk).update(rank=-(10**12))
    audience(1)
    order = paid_order(creator, note)
    assert order.status == OrderStatus.ACTIVE
    return order


def test_a_viewer_in_the_audience_gets_the_note_twice_a_day_at_most(
    promoted_note, make_client
) -> None:
    viewer = audience(1)[0]
    client = make_client(viewer)
    response = client.get(FEED).json()["results"]
    assert [row["id"] for row in response if row["promoted"]] == [promoted_note.note_id]
    assert [row["promoted"] for row in response].index(True) == 5  # mid-way through the page
    assert _promoted(client) == [promoted_note.note_id]
    assert _promoted(client) == []  # the frequency cap: twice per viewer per day
    assert counters().reserved([promoted_note.pk])[promoted_note.pk] == 2
    assert _promoted(make_client(audience(1)[0])) == [promoted_note.note_id]  # others still do


def test_the_author_never_gets_their_own_note(promoted_note, make_client) -> None:
    promoted_note.creator.profile.interests.add(category("beauty"))
    client = make_client(promoted_note.creator)
    assert [_promoted(client) for _ in range(3)] == [[], [], []]


@pytest.mark.parametrize("direction", ["viewer_blocks", "author_blocks"])
def test_no_delivery_across_a_block(promoted_note, make_client, direction: str) -> None:
    viewer = audience(1)[0]
    author = promoted_note.creator
    blocker, blocked = (viewer, author) if direction == "viewer_blocks" else (author, viewer)
    Block.objects.create(blocker=blocker, blocked=blocked)
    assert _promoted(make_client(viewer)) == []
    assert counters().reserved([promoted_note.pk])[promoted_note.pk] == 0


def test_a_viewer_outside_the_audience_never_gets_the_order(promoted_note, make_client) -> None:
    outsider = audience(1, slug="tech")[0]
    client = make_client(outsider)
    assert [_promoted(client) for _ in range(4)] == [[], [], [], []]
    assert counters().reserved([promoted_note.pk])[promoted_note.pk] == 0


def test_custom_targeting_through_the_feed(make_client) -> None:
    NoteFactory.create_batch(12, category=category("tech"))
    creator, note = creator_with_note()
    Note.objects.filter(pk=note.pk).update(rank=-(10**12))
    audience(2, gender="female", region="shanghai")
    order = paid_order(
        creator,
        note,
        targeting_mode="custom",
        targeting={"genders": ["female"], "regions": ["shanghai"]},
    )
    woman_in_shanghai = UserFactory(profile={"gender": "female", "region": "shanghai"})
    man_in_shanghai = UserFactory(profile={"gender": "male", "region": "shanghai"})
    woman_in_beijing = UserFactory(profile={"gender": "female", "region": "beijing"})
    assert _promoted(make_client(woman_in_shanghai)) == [order.note_id]
    assert _promoted(make_client(man_in_shanghai)) == []
    assert _promoted(make_client(woman_in_beijing)) == []


def test_small_pages_and_ended_orders_carry_no_promotion(promoted_note, make_client) -> None:
    client = make_client(audience(1)[0])
    response = client.get("/api/v1/feed/discover?page_size=9").json()["results"]
    assert not any(row["promoted"] for row in response)
    PromotionOrder.objects.filter(pk=promoted_note.pk).update(
        ends_at=timezone.now() - timedelta(seconds=1)
    )
    promoted_note.refresh_from_db()
    billing.order_publish(promoted_note)
    assert _promoted(client) == []


def _redis_commands(monkeypatch) -> list[str]:
    """The commands the serving counters send to Redis from now on (real Redis answers)."""
    hot = counters()
    if not hasattr(hot, "client"):
        pytest.skip("needs the Redis counters")
    sent: list[str] = []
    real = hot.client.execute_command

    def counted(*args, **options):
        sent.append(str(args[0]).upper())
        return real(*args, **options)

    monkeypatch.setattr(hot.client, "execute_command", counted)
    return sent


def test_a_page_with_a_promoted_note_costs_one_redis_round_trip(
    promoted_note, make_client, monkeypatch
) -> None:
    client = make_client(audience(1)[0])
    assert _promoted(client) == [promoted_note.note_id]  # the process's copy is loaded
    sent = _redis_commands(monkeypatch)
    assert _promoted(client) == [promoted_note.note_id]
    assert sent == ["EVALSHA"]  # the version is checked inside the reservation script
    sent.clear()
    assert _promoted(make_client(UserFactory())) == []  # nothing for this viewer in the copy
    assert sent == ["GET"]  # so the version alone is read, to find orders just started


def test_a_stale_copy_of_the_running_orders_never_serves_a_withdrawn_order(
    promoted_note, make_client, monkeypatch
) -> None:
    viewer = audience(1)[0]
    client = make_client(viewer)
    assert _promoted(client) == [promoted_note.note_id]  # this process now holds a copy
    counters().spec_set(promoted_note.pk, None)  # withdrawn elsewhere: the version moves on
    sent = _redis_commands(monkeypatch)
    assert _promoted(client) == []
    # The reservation was refused as stale, the copy reloaded, and nothing matched any more.
    assert sent[:2] == ["EVALSHA", "HGETALL"]
    assert counters().reserved([promoted_note.pk])[promoted_note.pk] == 1
    # An order started after the copy was taken is found on the next page.
    billing.order_publish(promoted_note)
    assert _promoted(make_client(audience(1)[0])) == [promoted_note.note_id]


def _active_orders(n: int) -> None:
    """``n`` active orders on beauty notes, published to the serving counters."""
    creator = UserFactory()
    beauty = category("beauty")
    start = timezone.now() - timedelta(minutes=1)
    notes = Note.objects.bulk_create(
        [
            Note(
                author=creator,
                title=f"推广 {i}",
                category=beauty,
                status="published",
                published_at=start,
                rank=-(10**12),
            )
            for i in range(n)
        ]
    )
    orders = PromotionOrder.objects.bulk_create(
        [
            PromotionOrder(
                creator=creator,
                note=note,
                objective="reads",
                budget=20_000,
                duration_hours=24,
                targeting_mode="smart",
                targeting={"interests": [beauty.pk]},
                cpm=3_000,
                max_impressions=6_666,
                status=OrderStatus.ACTIVE,
                starts_at=start,
                ends_at=start + timedelta(hours=24),
            )
            for note in notes
        ]
    )
    for order in orders:
        billing.order_republish(order)
    counters().specs_replace({order.pk: billing.spec_of(order) for order in orders})


def test_the_feed_makes_the_same_queries_with_0_or_1000_active_orders(
    make_client, count_queries
) -> None:
    NoteFactory.create_batch(12, category=category("tech"))
    viewer = audience(1)[0]
    client = make_client(viewer)

    def fetch(expected_promoted: int):
        def run() -> None:
            response = client.get(FEED)
            assert response.status_code == 200
            promoted = [row for row in response.json()["results"] if row["promoted"]]
            assert len(promoted) == expected_promoted

        return run

    without = count_queries(fetch(0))
    _active_orders(1000)
    with_ads = count_queries(fetch(1))
    assert with_ads == without, (without, with_ads)
