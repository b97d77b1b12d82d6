"""Demo cooperations for ``manage.py seed_demo``: a second verified brand (beside the ledger's),
co-owned by ``demo``, with an open campaign and a cooperation in each state of the machine, all
made through the services (escrow included), so the admin and the API show something real.
Idempotent: the campaign's title is the marker."""

from datetime import timedelta
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.accounts import organisations as organisation_services
from apps.accounts.models import Category, Organisation
from apps.brands import campaigns, profile_demo
from apps.brands.cooperation_models import Campaign, Cooperation
from apps.brands.cooperations import (
    cooperation_act,
    cooperation_deadline_move,
    cooperation_resolve,
)
from apps.brands.profile_selectors import eligibility_for
from apps.core.seeding import DemoContext
from apps.ledger import services as ledger
from apps.notes import services as notes

CAMPAIGN = "春日焕肤 Demo Campaign"
SECOND_BRAND = "山野咖啡 Demo Brand"
PRICE = 80_000
DRAFT = [("creator", "accept"), ("creator", "start"), ("creator", "submit")]
STEPS: dict[str, list[tuple[str, str]]] = {
    "invited": [],
    "negotiating": [("creator", "counter")],
    "funded": [("creator", "accept")],
    "drafting": [("creator", "accept"), ("creator", "start")],
    "submitted": DRAFT,
    "revision_requested": [*DRAFT, ("brand", "request_revision")],
    "approved": [*DRAFT, ("brand", "approve")],
    "published": [*DRAFT, ("brand", "approve"), ("creator", "publish")],
    "cancelled": [("creator", "accept"), ("brand", "cancel")],
    "disputed": [*DRAFT, ("brand", "dispute")],
}


def _image() -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (64, 48), "lightpink").save(out, "JPEG")
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


def _arguments(action: str, cooperation: Cooperation, category: Category | None) -> dict:
    today = timezone.localdate()
    if action == "counter":
        return {
            "price": PRICE + 20_000,
            "deliverable_kind": "image_note",
            "publish_from": today,
            "publish_until": today + timedelta(days=20),
            "message": "想加一组对比图，价格略高一些",
        }
    if action == "submit":
        note = notes.note_create(
            author=cooperation.creator,
            title="春日焕肤体验",
            body="连续用了两周，分享真实感受",
            category=category,
            publish=False,
            images=[_image()],
        )
        return {"note_id": note.pk}
    if action == "request_revision":
        return {"comment": "请补一张成分表特写"}
    if action in ("cancel", "dispute"):
        return {"reason": "演示数据"}
    return {}


def _drive(cooperation: Cooperation, steps, brand_user, category) -> Cooperation:
    for who, action in steps:
        user = cooperation.creator if who == "creator" else brand_user
        cooperation = cooperation_act(
            user=user,
            cooperation_id=cooperation.pk,
            action=action,
            **_arguments(action, cooperation, category),
        )
    return cooperation


def _second_brand(owner, operator, demo) -> Organisation:
    """The campaigns' brand: verified, funded, with ``demo`` as a second owner (so the API
    shows it to the demo account) while the ledger's demo brand keeps its balance."""
    found = Organisation.objects.filter(name=SECOND_BRAND).first()
    if found is not None:
        return found
    brand = organisation_services.organisation_create(
        user=owner,
        kind="brand",
        name=SECOND_BRAND,
        business_licence_number="91330000MA2DEMO002",
        contact_name="Demo",
        contact_phone="13800000001",
    )
    organisation_services.membership_invite(
        organisation_id=brand.pk, actor=owner, username=demo.username, role="owner"
    )
    organisation_services.organisation_verify(
        organisation_id=brand.pk, operator=operator, reason="demo: licence checked"
    )
    for _ in range(2):
        intent = ledger.organisation_topup_create(
            organisation_id=brand.pk, user=owner, amount=1_500_000, provider="sandbox"
        )
        ledger.sandbox_payment_complete(intent=intent, succeed=True)
    return brand


def seed(ctx: DemoContext) -> None:
    profile_demo.seed(ctx)  # profiles first: discovery lists them, cooperations need creators
    users = get_user_model().objects
    demo = users.get(pk=ctx.demo_user_id)
    operator = users.filter(username="admin").first()
    # creators first, then other users; never the brands' own members
    taken = {demo.pk, *ctx.user_ids[-2:]}
    creators = [pk for pk in dict.fromkeys([*ctx.creator_ids, *ctx.user_ids]) if pk not in taken]
    if operator is None or len(creators) < 17 or len(ctx.user_ids) < 20:
        ctx.stdout.write("brands demo skipped: needs an operator and 20 users")
        return
    brand = _second_brand(users.get(pk=ctx.user_ids[-2]), operator, demo)
    if Campaign.objects.filter(title=CAMPAIGN).exists():
        return
    today = timezone.localdate()
    campaign = campaigns.campaign_create(
        user=demo,
        organisation_id=brand.pk,
        title=CAMPAIGN,
        description="邀请护肤博主体验新品精华，分享两周真实使用感受",
        deliverable_kind="image_note",
        guidelines="自然光拍摄；正文提及成分与肤感",
        product="焕肤精华 30ml",
        publish_from=today,
        publish_until=today + timedelta(days=30),
        budget=5_000_000,
        mode="open",
        deadline=timezone.now() + timedelta(days=21),
        protection_days=30,
        usage_rights_days=90,
        boost_right=True,
        repost_right=True,
    )
    category = Category.objects.order_by("pk").first()
    # Only a creator past the eligibility gate may apply: the first eligible one applies, the
    # others are invited (invitations are not gated).
    candidates = list(users.in_bulk(creators[:17]).values())
    standing = eligibility_for(creator_ids=[user.pk for user in candidates])
    applicant = next((user for user in candidates if standing[user.pk].eligible), None)
    people = iter([user for user in candidates if user is not applicant])
    for steps in STEPS.values():
        [cooperation] = campaigns.campaign_invite(
            user=demo,
            organisation_id=brand.pk,
            campaign_id=campaign.pk,
            invitations=[{"creator_id": next(people).pk, "price": PRICE, "message": "期待合作"}],
        )
        _drive(cooperation, steps, demo, category)
    [waiting] = campaigns.campaign_invite(
        user=demo,
        organisation_id=brand.pk,
        campaign_id=campaign.pk,
        invitations=[{"creator_id": next(people).pk, "price": PRICE}],
    )
    counter = _arguments("counter", waiting, category) | {"price": 3_000_000}
    cooperation_act(user=waiting.creator, cooperation_id=waiting.pk, action="counter", **counter)
    # more than the wallet holds: accepted, waiting for the brand to fund it
    cooperation_act(user=demo, cooperation_id=waiting.pk, action="accept")
    applied = None
    if applicant is not None:
        applied = campaigns.campaign_apply(
            user=applicant, campaign_id=campaign.pk, price=PRICE, message="我擅长护肤测评"
        )
    [expiring] = campaigns.campaign_invite(
        user=demo,
        organisation_id=brand.pk,
        campaign_id=campaign.pk,
        invitations=[{"creator_id": next(people).pk, "price": PRICE}],
    )
    cooperation_deadline_move(
        cooperation_id=expiring.pk, action="expire", now=timezone.now() + timedelta(days=8)
    )
    [finished] = campaigns.campaign_invite(
        user=demo,
        organisation_id=brand.pk,
        campaign_id=campaign.pk,
        invitations=[{"creator_id": next(people).pk, "price": PRICE}],
    )
    finished = _drive(finished, STEPS["published"], demo, category)
    cooperation_deadline_move(
        cooperation_id=finished.pk, action="complete", now=finished.deadline_at
    )
    disputed = Cooperation.objects.filter(campaign=campaign, status="disputed").first()
    [resolved] = campaigns.campaign_invite(
        user=demo,
        organisation_id=brand.pk,
        campaign_id=campaign.pk,
        invitations=[{"creator_id": next(people).pk, "price": PRICE}],
    )
    resolved = _drive(resolved, STEPS["disputed"], demo, category)
    cooperation_resolve(
        operator=operator, cooperation_id=resolved.pk, creator_share=PRICE // 2, note="演示裁决"
    )
    ctx.stdout.write(
        f"brands demo: campaign {campaign.pk}, cooperations in every state "
        f"(applied #{applied.pk if applied else '-'}, disputed #{disputed.pk if disputed else '-'})"
    )
