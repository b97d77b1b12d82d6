"""Campaigns: a brand's brief, created and edited by its owners and managers; the cart of
invitations; creators' applications to open campaigns.

**The cart is all or none, funded one by one.** ``campaign_invite`` creates every invitation
of the cart in one transaction or none of them: an unknown or repeated creator, a creator
already in a live cooperation on the campaign, a blocked message, a cart over the campaign's
budget, or a brand wallet that cannot cover the whole cart's escrow (price + fee of every
invitation) refuses the cart as a whole and writes nothing. No money moves when inviting:
each cooperation's escrow is opened when its creator accepts (in the acceptance's
transaction), so a creator who declines never ties up the brand's money. The wallet check at
sending is an advice (the money is not held); an acceptance the wallet cannot cover waits in
``accepted`` for the brand to fund it.
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.organisation_models import OrganisationKind
from apps.accounts.organisation_selectors import (
    MEMBER_ADMIN_ROLES,
    get_organisation_for_member,
    organisation_member_ids,
    organisation_require_verified,
)
from apps.brands import cooperation_money as money
from apps.brands import texts
from apps.brands.cooperation_models import (
    Campaign,
    CampaignMode,
    CampaignStatus,
    Cooperation,
    CooperationEvent,
    CooperationStatus,
    Offer,
    Side,
)
from apps.brands.cooperations import deadline_after, entry_atomic
from apps.brands.notify import notify_parties
from apps.brands.profile_selectors import eligibility_of
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.moderation.screening import ensure_can_post

BRIEF_TEXTS = ("title", "description", "guidelines", "product")
EDITABLE = {
    *BRIEF_TEXTS,
    "deliverable_kind",
    "publish_from",
    "publish_until",
    "usage_rights_days",
    "boost_right",
    "repost_right",
    "protection_days",
    "budget",
    "target_audience",
    "mode",
    "deadline",
    "status",
}
# Money already promised on a campaign: cooperations whose escrow is (or will be) paid.
COMMITTED = (
    CooperationStatus.ACCEPTED,
    CooperationStatus.FUNDED,
    CooperationStatus.DRAFTING,
    CooperationStatus.SUBMITTED,
    CooperationStatus.REVISION_REQUESTED,
    CooperationStatus.APPROVED,
    CooperationStatus.PUBLISHED,
    CooperationStatus.COMPLETED,
    CooperationStatus.DISPUTED,
)


def campaign_not_found() -> NotFound:
    return NotFound("Campaign not found.", code="campaign.not_found")


def _brand_for_editor(user: User, organisation_id: int, *, lock: bool = False) -> Any:
    organisation = get_organisation_for_member(
        user=user, organisation_id=organisation_id, roles=MEMBER_ADMIN_ROLES, lock=lock
    )
    if organisation.kind != OrganisationKind.BRAND:
        raise Conflict("Only brands run campaigns.", code="campaign.not_a_brand")
    organisation_require_verified(organisation=organisation)
    return organisation


def _check(values: dict[str, Any]) -> None:
    if values["publish_until"] < values["publish_from"]:
        raise InvalidInput(
            "The publication window ends before it starts.",
            code="campaign.window_invalid",
            fields={"publish_until": ["On or after publish_from."]},
        )
    if not 30 <= values["protection_days"] <= 365:
        raise InvalidInput(
            "The protection period is 30 to 365 days.",
            code="campaign.protection_invalid",
            fields={"protection_days": ["30 to 365."]},
        )


def _screen_brief(values: dict[str, Any]) -> str:
    held: list[str] = []
    for field in BRIEF_TEXTS:
        if field in values:
            values[field] = texts.screened(
                surface=texts.BRIEF, field=field, text=values[field], held=held
            )
    return ",".join(held)


def campaign_create(*, user: User, organisation_id: int, **values: Any) -> Campaign:
    """A verified brand's owner or manager posts a campaign (its texts screened as briefs)."""
    unknown = set(values) - EDITABLE
    if unknown:
        raise InvalidInput(f"Unknown fields: {', '.join(sorted(unknown))}.")
    values.setdefault("protection_days", 30)
    _check(values)
    held = _screen_brief(values)
    with entry_atomic():
        brand = _brand_for_editor(user, organisation_id, lock=True)
        now = timezone.now()
        return Campaign.objects.create(
            brand=brand,
            created_by=user,
            screening_held=held,
            created_at=now,
            updated_at=now,
            **values,
        )


def get_campaign_for_member(
    *, user: User, organisation_id: int, campaign_id: int, roles: Any = None
) -> Campaign:
    """A campaign of a brand the user belongs to (404 for others, 403 for the role)."""
    kwargs = {"roles": roles} if roles is not None else {}
    organisation = get_organisation_for_member(user=user, organisation_id=organisation_id, **kwargs)
    campaign = Campaign.objects.filter(pk=campaign_id, brand_id=organisation.pk).first()
    if campaign is None:
        raise campaign_not_found()
    return campaign


def campaign_update(
    *, user: User, organisation_id: int, campaign_id: int, **changes: Any
) -> Campaign:
    """Edit a campaign's brief (screened again); running cooperations keep their terms."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput(f"Unknown fields: {', '.join(sorted(unknown))}.")
    held = _screen_brief(changes)
    with entry_atomic():
        _brand_for_editor(user, organisation_id)
        campaign = (
            Campaign.objects.select_for_update()
            .filter(pk=campaign_id, brand_id=organisation_id)
            .first()
        )
        if campaign is None:
            raise campaign_not_found()
        for name, value in changes.items():
            setattr(campaign, name, value)
        _check(
            {
                "publish_from": campaign.publish_from,
                "publish_until": campaign.publish_until,
                "protection_days": campaign.protection_days,
            }
        )
        if held:
            campaign.screening_held = held
        campaign.updated_at = timezone.now()
        campaign.save()
        return campaign


def _check_open(campaign: Campaign, now: datetime) -> None:
    if campaign.status != CampaignStatus.OPEN or campaign.deadline <= now:
        raise Conflict("This campaign is closed.", code="campaign.closed")


def _committed(campaign: Campaign) -> int:
    total = Cooperation.objects.filter(campaign=campaign, status__in=COMMITTED).aggregate(
        total=Sum("price")
    )["total"]
    return total or 0


def campaign_invite(
    *, user: User, organisation_id: int, campaign_id: int, invitations: list[dict[str, Any]]
) -> list[Cooperation]:
    """The cart: invite several creators at once, all or none (see the module's docstring)."""
    if not 1 <= len(invitations) <= settings.BRANDS_CART_MAX:
        raise InvalidInput(
            f"A cart holds 1 to {settings.BRANDS_CART_MAX} invitations.", code="cart.size"
        )
    creator_ids = [item["creator_id"] for item in invitations]
    if len(set(creator_ids)) != len(creator_ids):
        raise InvalidInput("Each creator once per cart.", code="cart.duplicate_creator")
    for item in invitations:
        money.check_price(item["price"], "invitations")
        item["message"] = texts.screened(
            surface=texts.OFFER, field="message", text=item.get("message", "")
        )
    now = timezone.now()
    with entry_atomic():
        brand = _brand_for_editor(user, organisation_id, lock=True)
        campaign = (
            Campaign.objects.select_for_update().filter(pk=campaign_id, brand_id=brand.pk).first()
        )
        if campaign is None:
            raise campaign_not_found()
        _check_open(campaign, now)
        found = set(
            get_user_model()
            .objects.filter(pk__in=creator_ids, is_active=True)
            .values_list("pk", flat=True)
        )
        members = organisation_member_ids(organisation_id=brand.pk)
        bad = sorted(set(creator_ids) - found | (set(creator_ids) & members))
        if bad:
            raise InvalidInput(
                "Unknown creators (or members of the brand).",
                code="cart.creator_invalid",
                fields={"invitations": [f"creator {pk}" for pk in bad]},
            )
        busy = sorted(
            Cooperation.objects.filter(campaign=campaign, creator_id__in=creator_ids)
            .exclude(status__in=["cancelled", "expired", "completed", "resolved"])
            .values_list("creator_id", flat=True)
        )
        if busy:
            raise Conflict(
                f"Already cooperating on this campaign: creators {busy}.", code="cart.creator_busy"
            )
        prices = sum(item["price"] for item in invitations)
        if _committed(campaign) + prices > campaign.budget:
            raise Conflict("The cart is over the campaign's budget.", code="cart.over_budget")
        escrow = sum(item["price"] + money.platform_fee(item["price"]) for item in invitations)
        if not money.brand_can_cover(brand_id=brand.pk, amount=escrow):
            raise Conflict(
                f"The brand's wallet cannot cover the cart's escrow ({escrow} fen).",
                code="cart.insufficient_funds",
            )
        cooperations = Cooperation.objects.bulk_create(
            [
                Cooperation(
                    campaign=campaign,
                    brand=brand,
                    creator_id=item["creator_id"],
                    status=CooperationStatus.INVITED,
                    price=item["price"],
                    deliverable_kind=campaign.deliverable_kind,
                    publish_from=campaign.publish_from,
                    publish_until=campaign.publish_until,
                    latest_offer_side=Side.BRAND,
                    max_revision_rounds=settings.BRANDS_MAX_REVISION_ROUNDS,
                    deadline_at=deadline_after(CooperationStatus.INVITED, now),
                    created_at=now,
                    updated_at=now,
                )
                for item in invitations
            ]
        )
        _first_offers(cooperations, invitations, Side.BRAND, user, now, action="invite")
        return cooperations


def _first_offers(
    cooperations: list[Cooperation],
    items: list[dict[str, Any]],
    side: str,
    author: User,
    now: datetime,
    *,
    action: str,
) -> None:
    Offer.objects.bulk_create(
        [
            Offer(
                cooperation=cooperation,
                side=side,
                author=author,
                price=cooperation.price,
                deliverable_kind=cooperation.deliverable_kind,
                publish_from=cooperation.publish_from,
                publish_until=cooperation.publish_until,
                message=item.get("message", ""),
                created_at=now,
            )
            for cooperation, item in zip(cooperations, items, strict=True)
        ]
    )
    CooperationEvent.objects.bulk_create(
        [
            CooperationEvent(
                cooperation=cooperation,
                action=action,
                from_status="",
                to_status=cooperation.status,
                side=side,
                actor=author,
                created_at=now,
            )
            for cooperation in cooperations
        ]
    )
    for cooperation in cooperations:
        notify_parties(cooperation=cooperation, kind=f"cooperation.{action}", actor_id=author.pk)


def open_campaigns() -> Any:
    """Campaigns creators may apply to: open, open mode, deadline ahead (newest first)."""
    return Campaign.objects.filter(
        status=CampaignStatus.OPEN, mode=CampaignMode.OPEN, deadline__gt=timezone.now()
    ).select_related("brand")


def get_open_campaign(*, campaign_id: int) -> Campaign:
    campaign = open_campaigns().filter(pk=campaign_id).first()
    if campaign is None:
        raise campaign_not_found()
    return campaign


def check_eligible_to_apply(user: User) -> None:
    """403 ``campaign.creator_ineligible`` naming the failing conditions, with the eligibility
    endpoint's codes (``fans``, ``recent_notes``, ``no_posting_restriction``)."""
    eligibility = eligibility_of(creator=user)
    if eligibility.eligible:
        return
    failing = {
        condition["code"]: [condition["message"]]
        for condition in eligibility.conditions
        if not condition["met"]
    }
    raise Forbidden(
        f"You do not meet the conditions to apply to campaigns: {', '.join(failing)}.",
        code="campaign.creator_ineligible",
        fields=failing,
    )


def campaign_apply(
    *,
    user: User,
    campaign_id: int,
    price: int,
    message: str = "",
    publish_from: date | None = None,
    publish_until: date | None = None,
) -> Cooperation:
    """A creator applies to an open campaign with a price and a pitch (screened).

    Only a creator past the cooperation profile's eligibility gate may apply: the gate is what
    brands rely on when they read unsolicited applications."""
    ensure_can_post(user)
    money.check_price(price)
    message = texts.screened(surface=texts.PITCH, field="message", text=message)
    now = timezone.now()
    with entry_atomic():
        campaign = get_open_campaign(campaign_id=campaign_id)
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _check_open(campaign, now)
        if user.pk in organisation_member_ids(organisation_id=campaign.brand_id):
            raise Conflict("Members cannot apply to their own brand.", code="campaign.own_brand")
        check_eligible_to_apply(user)
        if (
            Cooperation.objects.filter(campaign=campaign, creator=user)
            .exclude(status__in=["cancelled", "expired", "completed", "resolved"])
            .exists()
        ):
            raise Conflict(
                "You already cooperate on this campaign.", code="campaign.already_applied"
            )
        publish_from = publish_from or campaign.publish_from
        publish_until = publish_until or campaign.publish_until
        if publish_until < publish_from:
            raise InvalidInput(
                "The publication window ends before it starts.",
                code="cooperation.window_invalid",
                fields={"publish_until": ["On or after publish_from."]},
            )
        cooperation = Cooperation.objects.create(
            campaign=campaign,
            brand_id=campaign.brand_id,
            creator=user,
            status=CooperationStatus.APPLIED,
            price=price,
            deliverable_kind=campaign.deliverable_kind,
            publish_from=publish_from,
            publish_until=publish_until,
            latest_offer_side=Side.CREATOR,
            max_revision_rounds=settings.BRANDS_MAX_REVISION_ROUNDS,
            deadline_at=deadline_after(CooperationStatus.APPLIED, now),
            created_at=now,
            updated_at=now,
        )
        _first_offers(
            [cooperation], [{"message": message}], Side.CREATOR, user, now, action="apply"
        )
        return cooperation
