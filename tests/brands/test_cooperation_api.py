"""Campaigns, the cart, applications, screening, the report and list query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.analytics.models import NoteDaily
from apps.brands.cooperation_models import Campaign, Cooperation, CooperationEvent, Offer
from apps.moderation import services as moderation
from tests.brands.factories import (
    PATHS,
    PRICE,
    brand_wallet,
    cooperation_in,
    drive,
    invite,
    make_world,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _campaign_body(**changes) -> dict:
    today = timezone.localdate()
    body = {
        "title": "夏季防晒",
        "description": "分享防晒霜的真实使用感受",
        "deliverable_kind": "video_note",
        "publish_from": today.isoformat(),
        "publish_until": (today + timedelta(days=14)).isoformat(),
        "budget": 500_000,
        "mode": "invitation",
        "deadline": (timezone.now() + timedelta(days=7)).isoformat(),
        "protection_days": 60,
        "target_audience": {"gender": "female", "regions": ["上海"]},
    }
    body.update(changes)
    return body


def test_manager_creates_and_edits_a_campaign(make_client) -> None:
    world = make_world()
    client = make_client(world.members["manager"])
    url = f"/api/v1/organisations/{world.brand.pk}/campaigns"
    response = client.post(url, _campaign_body(), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["protection_days"] == 60 and created["target_audience"]["gender"] == "female"
    patched = client.patch(f"{url}/{created['id']}", {"status": "closed"}, format="json")
    assert patched.status_code == 200 and patched.json()["status"] == "closed"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"protection_days": 29}, "invalid"),
        ({"protection_days": 366}, "invalid"),
        ({"publish_until": "2020-01-01"}, "campaign.window_invalid"),
    ],
)
def test_bad_campaigns_are_refused_and_write_nothing(make_client, changes, code) -> None:
    world = make_world()
    client = make_client(world.members["owner"])
    url = f"/api/v1/organisations/{world.brand.pk}/campaigns"
    response = client.post(url, _campaign_body(**changes), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert Campaign.objects.filter(brand=world.brand).count() == 1


def test_briefs_offers_and_pitches_are_screened_on_their_own_surfaces(make_client) -> None:
    moderation.keyword_rule_create(
        term="加微信", category="contact", action="block", surfaces=["brand_brief", "brand_pitch"]
    )
    world = make_world()
    url = f"/api/v1/organisations/{world.brand.pk}/campaigns"
    blocked = make_client(world.members["owner"]).post(
        url, _campaign_body(description="有意者加微信"), format="json"
    )
    assert blocked.status_code == 400
    assert blocked.json()["error"]["code"] == "moderation.blocked"
    assert "description" in blocked.json()["error"]["fields"]
    creator = UserFactory()
    pitch = make_client(creator).post(
        f"/api/v1/campaigns/{world.campaign.pk}/applications",
        {"price": PRICE, "message": "请加微信聊"},
        format="json",
    )
    assert pitch.status_code == 400
    assert not Cooperation.objects.filter(creator=creator).exists()
    # the same words in a note comment surface's rule set do not touch an offer: not its surface
    cooperation = invite(world, creator=creator, price=PRICE)
    assert cooperation.offers.get().message == "期待合作"


def test_cart_is_all_or_none(make_client) -> None:
    world = make_world(funds=300_000)
    client = make_client(world.members["manager"])
    url = f"/api/v1/organisations/{world.brand.pk}/campaigns/{world.campaign.pk}/invitations"
    creators = [UserFactory() for _ in range(3)]
    good = [{"creator_id": c.pk, "price": 50_000} for c in creators]

    def send(invitations, key):
        return client.post(
            url, {"invitations": invitations}, format="json", headers={"Idempotency-Key": key}
        )

    unknown = send([*good, {"creator_id": 2**40, "price": 1_000}], "k1")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "cart.creator_invalid"
    too_much = send([{"creator_id": c.pk, "price": 100_000} for c in creators], "k2")
    assert too_much.status_code == 409
    assert too_much.json()["error"]["code"] == "cart.insufficient_funds"  # 330,000 > 300,000
    assert not Cooperation.objects.filter(campaign=world.campaign).exists()
    sent = send(good, "k3")
    assert sent.status_code == 201, sent.content
    assert [row["status"] for row in sent.json()] == ["invited"] * 3
    assert Offer.objects.filter(cooperation__campaign=world.campaign).count() == 3
    assert send(good, "k3").json() == sent.json()  # replayed, not sent twice
    again = send(good[:1], "k4")
    assert again.status_code == 409 and again.json()["error"]["code"] == "cart.creator_busy"
    assert brand_wallet(world) == 300_000  # nothing moves before acceptance


def test_counter_offers_are_all_kept_and_the_latest_is_accepted(make_client) -> None:
    world = make_world()
    cooperation = invite(world, creator=UserFactory())
    creator = make_client(cooperation.creator)
    manager = make_client(world.members["manager"])
    today = timezone.localdate()
    offer = {
        "deliverable_kind": "image_note",
        "publish_from": today.isoformat(),
        "publish_until": (today + timedelta(days=5)).isoformat(),
    }
    url = f"/api/v1/cooperations/{cooperation.pk}/offers"
    assert creator.post(url, {**offer, "price": 150_000}, format="json").status_code == 200
    own = creator.post(url, {**offer, "price": 140_000}, format="json")
    assert own.status_code == 409 and own.json()["error"]["code"] == "cooperation.own_offer"
    assert manager.post(url, {**offer, "price": 120_000}, format="json").status_code == 200
    accepted = creator.post(
        f"/api/v1/cooperations/{cooperation.pk}/accept",
        {},
        format="json",
        headers={"Idempotency-Key": "accept-1"},
    )
    assert accepted.status_code == 200
    body = accepted.json()
    assert (body["status"], body["price"], body["fee"], body["escrow_paid"]) == (
        "funded",
        120_000,
        12_000,
        132_000,
    )
    prices = [row["price"] for row in manager.get(url).json()["results"]]
    assert prices == [120_000, 150_000, PRICE]  # newest first, every offer kept


def test_submitted_draft_is_shown_to_the_brand_and_revisions_are_limited(make_client) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "submitted")
    viewer = make_client(world.members["viewer"])
    detail = viewer.get(f"/api/v1/cooperations/{cooperation.pk}").json()
    assert detail["draft"]["note_id"] == cooperation.note_id
    manager = make_client(world.members["manager"])
    for round_ in (1, 2):
        asked = manager.post(
            f"/api/v1/cooperations/{cooperation.pk}/request-revision",
            {"comment": f"第{round_}轮修改"},
            format="json",
        )
        assert asked.status_code == 200, asked.content
        drive(world, cooperation, [("creator", "submit")])
    third = manager.post(
        f"/api/v1/cooperations/{cooperation.pk}/request-revision",
        {"comment": "再改"},
        format="json",
    )
    assert third.status_code == 409
    assert third.json()["error"]["code"] == "cooperation.revision_limit"


def test_campaign_report_and_csv_read_the_metrics(make_client) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    three_days_ago = timezone.now() - timedelta(days=3)
    Cooperation.objects.filter(pk=cooperation.pk).update(published_at=three_days_ago)
    yesterday = timezone.localdate() - timedelta(days=1)
    for day, impressions in ((yesterday, 30_000), (yesterday - timedelta(days=1), 20_000)):
        NoteDaily.objects.create(
            day=day,
            note_id=cooperation.note_id,
            author_id=cooperation.creator_id,
            impressions=impressions,
            views=5_000,
            likes=300,
            collects=100,
            comments=50,
            shares=50,
            follows=20,
        )
    client = make_client(world.members["viewer"])
    base = f"/api/v1/organisations/{world.brand.pk}/campaigns/{world.campaign.pk}/report"
    report = client.get(base).json()
    [row] = report["rows"]
    assert (row["impressions"], row["views"], row["follows"]) == (50_000, 10_000, 40)
    assert row["cpm"] == PRICE * 1000 / 50_000  # 2,000 fen per thousand impressions
    assert row["cost_per_engagement"] == PRICE / 1000
    assert report["totals"]["price"] == PRICE
    csv_text = b"".join(client.get(f"{base}/csv").streaming_content).decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("cooperation_id,creator_id,note_id,price_fen,impressions")
    assert lines[1].startswith(f"{cooperation.pk},{cooperation.creator_id},{cooperation.note_id}")
    assert lines[-1].startswith("TOTAL")


@pytest.mark.parametrize("route", ["cooperations", "campaigns", "offers", "my", "events"])
def test_lists_make_the_same_number_of_queries_for_1_and_20_items(
    make_client, count_queries, route
) -> None:
    def scenario(items: int):
        world = make_world(funds=5_000_000)
        creator = UserFactory()
        cooperations = [invite(world, creator=creator, price=1_000)]
        for _ in range(items - 1):
            if route == "my":  # the same creator, on another campaign of the brand
                world.campaign = Campaign.objects.get(pk=world.campaign.pk)
                world.campaign.pk = None
                world.campaign.save()
            cooperations.append(
                invite(world, price=1_000, creator=creator if route == "my" else UserFactory())
            )
        member = make_client(world.members["viewer"])
        target = cooperations[0]
        if route == "offers":
            for _ in range(items - 1):
                drive(world, target, [("creator", "counter")])
                drive(world, target, [("manager", "counter")])
        urls = {
            "cooperations": f"/api/v1/organisations/{world.brand.pk}/cooperations?page_size=50",
            "campaigns": "/api/v1/campaigns?page_size=50",
            "offers": f"/api/v1/cooperations/{target.pk}/offers?page_size=50",
            "my": "/api/v1/cooperations?page_size=50",
            "events": f"/api/v1/cooperations/{target.pk}",
        }
        client = make_client(creator) if route == "my" else member
        return lambda: client.get(urls[route]).status_code == 200

    assert count_queries(scenario(1)) == count_queries(scenario(20))


def test_event_trail_records_every_move() -> None:
    world = make_world()
    cooperation = invite(world, creator=UserFactory())
    drive(world, cooperation, PATHS["published"])
    actions = list(
        CooperationEvent.objects.filter(cooperation=cooperation)
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["invite", "accept", "fund", "start", "submit", "approve", "publish"]
