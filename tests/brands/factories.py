"""Brands test fixtures: a verified, funded brand with a member of each role, a campaign, and
cooperations driven into any state through the real services (as in production)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import Organisation, User
from apps.brands import campaigns
from apps.brands.cooperation_models import Campaign, Cooperation
from apps.brands.cooperations import (
    cooperation_act,
    cooperation_deadline_move,
    cooperation_resolve,
)
from apps.ledger.models import OwnerType
from apps.ledger.selectors import escrow_balance, wallet_balance
from apps.notes.models import NoteStatus
from tests.accounts.organisation_factories import add_member, make_organisation
from tests.factories import UserFactory
from tests.ledger.organisation_money_factories import organisation_top_up
from tests.notes.factories import NoteFactory

PRICE = 100_000  # 1,000.00 yuan
FEE = 10_000  # 10 %
ESCROW = PRICE + FEE
UNCOVERED = 4_000_000  # above make_world's default funds

# state -> the actions (side, action, arguments) that lead there from "invited".
PATHS: dict[str, list[tuple[str, str]]] = {
    "invited": [],
    "negotiating": [("creator", "counter")],
    "accepted": [("creator", "counter"), ("manager", "accept")],
    "funded": [("creator", "accept")],
    "drafting": [("creator", "accept"), ("creator", "start")],
    "submitted": [("creator", "accept"), ("creator", "start"), ("creator", "submit")],
    "revision_requested": [
        ("creator", "accept"),
        ("creator", "start"),
        ("creator", "submit"),
        ("manager", "request_revision"),
    ],
    "approved": [
        ("creator", "accept"),
        ("creator", "start"),
        ("creator", "submit"),
        ("manager", "approve"),
    ],
    "published": [
        ("creator", "accept"),
        ("creator", "start"),
        ("creator", "submit"),
        ("manager", "approve"),
        ("creator", "publish"),
    ],
    "cancelled": [("creator", "decline")],
    "disputed": [
        ("creator", "accept"),
        ("creator", "start"),
        ("creator", "submit"),
        ("manager", "dispute"),
    ],
}


@dataclass
class World:
    brand: Organisation
    members: dict[str, User]
    campaign: Campaign
    creator: User = field(default_factory=UserFactory)

    def actor(self, name: str) -> User:
        return self.creator if name == "creator" else self.members[name]


def make_world(
    *,
    funds: int = 1_000_000,
    boost_right: bool = True,
    owner: User | None = None,
    mode: str = "open",
) -> World:
    owner = owner or UserFactory()
    brand = make_organisation(owner, verified=True)
    members = {"owner": owner}
    for role in ("manager", "finance", "viewer"):
        members[role] = add_member(brand, role)
    if funds:
        organisation_top_up(brand, members["finance"], funds)
    today = timezone.localdate()
    campaign = campaigns.campaign_create(
        user=members["manager"],
        organisation_id=brand.pk,
        title="春季新品",
        description="试用我们的精华并写下真实感受",
        deliverable_kind="image_note",
        publish_from=today,
        publish_until=today + timedelta(days=30),
        budget=1_000_000_000,
        mode=mode,
        deadline=timezone.now() + timedelta(days=10),
        protection_days=30,
        usage_rights_days=60,
        boost_right=boost_right,
    )
    return World(brand=brand, members=members, campaign=campaign)


def invite(world: World, creator: User | None = None, price: int = PRICE) -> Cooperation:
    creator = creator or world.creator
    [cooperation] = campaigns.campaign_invite(
        user=world.members["manager"],
        organisation_id=world.brand.pk,
        campaign_id=world.campaign.pk,
        invitations=[{"creator_id": creator.pk, "price": price, "message": "期待合作"}],
    )
    return cooperation


def arguments_for(
    world: World, cooperation: Cooperation, action: str, *, price: int = PRICE
) -> dict:
    today = timezone.localdate()
    if action == "counter":
        return {
            "price": price,
            "deliverable_kind": "image_note",
            "publish_from": today,
            "publish_until": today + timedelta(days=20),
            "message": "可以",
        }
    if action == "submit":
        note = NoteFactory(
            author=cooperation.creator, status=NoteStatus.DRAFT, published_at=None, title="草稿"
        )
        return {"note_id": note.pk}
    if action == "request_revision":
        return {"comment": "请多拍几张产品图"}
    if action == "dispute":
        return {"reason": "草稿与要求不符"}
    return {}


def drive(
    world: World, cooperation: Cooperation, steps: list[tuple[str, str]], *, price: int = PRICE
) -> Cooperation:
    for actor, action in steps:
        user = cooperation.creator if actor == "creator" else world.members[actor]
        cooperation = cooperation_act(
            user=user,
            cooperation_id=cooperation.pk,
            action=action,
            **arguments_for(world, cooperation, action, price=price),
        )
    cooperation.refresh_from_db()
    return cooperation


def cooperation_in(world: World, state: str) -> Cooperation:
    """A fresh creator's cooperation in ``state``, reached through the services."""
    if state == "applied":
        with any_creator_may_apply():
            return campaigns.campaign_apply(
                user=UserFactory(), campaign_id=world.campaign.pk, price=PRICE, message="我很适合"
            )
    cooperation = invite(world, creator=UserFactory())
    if state == "completed":
        cooperation = drive(world, cooperation, PATHS["published"])
        Cooperation.objects.filter(pk=cooperation.pk).update(deadline_at=timezone.now())
        cooperation_deadline_move(
            cooperation_id=cooperation.pk, action="complete", now=timezone.now()
        )
    elif state == "expired":
        cooperation_deadline_move(
            cooperation_id=cooperation.pk, action="expire", now=timezone.now() + timedelta(days=8)
        )
    elif state == "accepted":  # a price the brand's wallet cannot cover: funding waits
        cooperation = drive(world, cooperation, PATHS[state], price=UNCOVERED)
    elif state == "resolved":
        cooperation = drive(world, cooperation, PATHS["disputed"])
        cooperation_resolve(
            operator=dispute_operator(),
            cooperation_id=cooperation.pk,
            creator_share=50_000,
            note="各担一半",
        )
    else:
        cooperation = drive(world, cooperation, PATHS[state])
    cooperation.refresh_from_db()
    assert cooperation.status == state, (cooperation.status, state)
    return cooperation


def any_creator_may_apply() -> override_settings:
    """Thresholds a fresh creator meets, for tests that are not about the eligibility gate."""
    return override_settings(BRANDS_MIN_FANS=0, BRANDS_MIN_RECENT_NOTES=0)


def dispute_operator() -> User:
    operator = UserFactory(is_staff=True)
    operator.user_permissions.add(
        Permission.objects.get(content_type__app_label="brands", codename="change_cooperation")
    )
    return User.objects.get(pk=operator.pk)


def brand_wallet(world: World) -> int:
    return wallet_balance(owner_type=OwnerType.ORGANISATION, owner_id=world.brand.pk).available


def creator_wallet(user: User) -> int:
    return wallet_balance(owner_type=OwnerType.USER, owner_id=user.pk).available


def escrow_of(cooperation: Cooperation) -> int:
    return escrow_balance(contract=cooperation.escrow_reference)
