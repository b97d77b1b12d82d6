"""The cooperation machine in motion: one function moves a cooperation and writes its event.

Every action runs in one transaction: the cooperation's row lock, the requester's side and role
(``access.py``), the machine's check (409 ``cooperation.illegal_transition``, nothing written),
the action's own work (an offer, the escrow, the note), the new state with its next deadline,
one ``CooperationEvent``, and notifications to both sides after commit. Deadline moves (expiry,
auto-approval, completion) go through the same function with the system side, re-checking the
state and the deadline under the lock, so a brand's approval racing the auto-approval task has
exactly one winner and money moves once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.organisation_selectors import (
    organisation_member_ids,
    organisation_require_verified,
)
from apps.brands import cooperation_money as money
from apps.brands import texts
from apps.brands.access import Party, get_cooperation_for_party
from apps.brands.cooperation_models import (
    COOPERATION_MACHINE,
    Cooperation,
    CooperationEvent,
    CooperationStatus,
    DeliverableKind,
    Offer,
    Side,
)
from apps.brands.notify import notify_parties
from apps.brands.rights import usage_rights_grant_locked
from apps.core.errors import Conflict, Forbidden, InvalidInput
from apps.notes import services as notes

S = CooperationStatus
Handler = Callable[..., "Work"]


@dataclass(frozen=True)
class Work:
    """What an action's handler did besides the move: the event's details, the extra columns
    it changed on the cooperation (saved with the state) and the event's comment."""

    details: dict[str, Any]
    fields: tuple[str, ...] = ()
    comment: str = ""


NOTE_KINDS = {DeliverableKind.IMAGE_NOTE: "image", DeliverableKind.VIDEO_NOTE: "video"}


def entry_atomic() -> transaction.Atomic:
    """The entry point's transaction: durable unless the idempotency key's is already open."""
    return transaction.atomic(durable=not connection.in_atomic_block)


def _days(count: int, now: datetime) -> datetime:
    return now + timedelta(days=count)


def deadline_after(status: str, now: datetime) -> datetime | None:
    """The next deadline of a state: what the beat task enforces (docs/brands.md)."""
    if status in (S.INVITED, S.APPLIED, S.NEGOTIATING, S.ACCEPTED):
        return _days(settings.BRANDS_INVITATION_DAYS, now)
    if status == S.SUBMITTED:
        return _days(settings.BRANDS_AUTO_APPROVE_DAYS, now)
    if status == S.PUBLISHED:
        return _days(settings.BRANDS_SETTLEMENT_DAYS, now)
    return None


def record_move_locked(
    cooperation: Cooperation,
    action: str,
    party: Party,
    *,
    now: datetime,
    comment: str = "",
    details: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> CooperationEvent:
    """Apply ``action`` to the locked cooperation, save it, write the event, queue notices."""
    before, after = COOPERATION_MACHINE.move(cooperation, action)
    cooperation.deadline_at = deadline_after(after, now)
    cooperation.updated_at = now
    cooperation.save(update_fields=["status", "deadline_at", "updated_at", *fields])
    event = CooperationEvent.objects.create(
        cooperation=cooperation,
        action=action,
        from_status=before,
        to_status=after,
        side=party.side,
        actor=party.user,
        comment=comment,
        details=details or {},
        created_at=now,
    )
    notify_parties(
        cooperation=cooperation,
        kind=f"cooperation.{after}" if before != after else f"cooperation.{action}",
        actor_id=party.user.pk if party.user else None,
        extra={"action": action, "from_status": before},
    )
    return event


def _check_turn(cooperation: Cooperation, party: Party) -> None:
    if cooperation.latest_offer_side == party.side:
        raise Conflict(
            "The latest offer is yours: the other side accepts or counters it.",
            code="cooperation.own_offer",
        )


def _window(publish_from: date, publish_until: date) -> None:
    if publish_until < publish_from:
        raise InvalidInput(
            "The publication window ends before it starts.",
            code="cooperation.window_invalid",
            fields={"publish_until": ["On or after publish_from."]},
        )


# --- handlers: the action's own work, the row lock held; they return the event's details ----


def _counter(
    cooperation: Cooperation,
    party: Party,
    now: datetime,
    *,
    price: int,
    deliverable_kind: str,
    publish_from: date,
    publish_until: date,
    message: str = "",
) -> Work:
    _check_turn(cooperation, party)
    money.check_price(price)
    _window(publish_from, publish_until)
    surface = texts.PITCH if party.side == Side.CREATOR else texts.OFFER
    message = texts.screened(surface=surface, field="message", text=message)
    offer = Offer.objects.create(
        cooperation=cooperation,
        side=party.side,
        author=party.user,
        price=price,
        deliverable_kind=deliverable_kind,
        publish_from=publish_from,
        publish_until=publish_until,
        message=message,
        created_at=now,
    )
    cooperation.price, cooperation.deliverable_kind = price, deliverable_kind
    cooperation.publish_from, cooperation.publish_until = publish_from, publish_until
    cooperation.latest_offer_side = party.side
    return Work(
        {"offer_id": offer.pk, "price": price},
        fields=("price", "deliverable_kind", "publish_from", "publish_until", "latest_offer_side"),
    )


def _accept(cooperation: Cooperation, party: Party, now: datetime) -> Work:
    _check_turn(cooperation, party)
    cooperation.fee = money.platform_fee(cooperation.price)
    return Work({"price": cooperation.price, "fee": cooperation.fee}, fields=("fee",))


def _fund(cooperation: Cooperation, party: Party, now: datetime) -> Work:
    organisation_require_verified(organisation=cooperation.brand)
    money.fund_locked(cooperation)
    return Work({"escrow": cooperation.escrow_paid}, fields=("escrow_paid",))


def _submit(cooperation: Cooperation, party: Party, now: datetime, *, note_id: int) -> Work:
    note_model = Cooperation._meta.get_field("note").related_model
    note = note_model.objects.filter(pk=note_id).first()
    if note is None or note.author_id != cooperation.creator_id or note.status == "deleted":
        raise InvalidInput(
            "Submit one of your own notes.",
            code="cooperation.note_invalid",
            fields={"note_id": ["Not one of your notes."]},
        )
    if note.status != "draft":
        raise Conflict(
            "Submit a draft: it is published when approved.", code="cooperation.note_not_draft"
        )
    wanted = NOTE_KINDS.get(cooperation.deliverable_kind)
    if wanted and note.kind != wanted:
        raise Conflict(f"The deliverable is a {wanted} note.", code="cooperation.note_kind")
    cooperation.note_id = note.pk
    return Work({"note_id": note.pk}, fields=("note",))


def _request_revision(
    cooperation: Cooperation, party: Party, now: datetime, *, comment: str
) -> Work:
    if cooperation.revision_rounds >= cooperation.max_revision_rounds:
        raise Conflict(
            f"All {cooperation.max_revision_rounds} revision rounds are used: approve or dispute.",
            code="cooperation.revision_limit",
        )
    cooperation.revision_rounds += 1
    return Work(
        {"round": cooperation.revision_rounds},
        fields=("revision_rounds",),
        comment=texts.screened(surface=texts.REVISION, field="comment", text=comment),
    )


def _publish(cooperation: Cooperation, party: Party, now: datetime) -> Work:
    if cooperation.note.visibility != "public":
        raise Conflict(
            "The note is private: make it public to publish it.", code="cooperation.note_private"
        )
    notes.note_publish(note_id=cooperation.note_id, actor=party.user)
    campaign = cooperation.campaign
    cooperation.published_at = now
    cooperation.protection_until = now + timedelta(days=campaign.protection_days)
    usage_rights_grant_locked(cooperation, campaign, now)
    return Work({"note_id": cooperation.note_id}, fields=("published_at", "protection_until"))


def _cancel(cooperation: Cooperation, party: Party, now: datetime, *, reason: str = "") -> Work:
    refunded = cooperation.escrow_paid
    money.refund_locked(cooperation)
    reason = texts.screened(surface=texts.OFFER, field="reason", text=reason)
    return Work({"refunded": refunded}, comment=reason)


def _dispute(cooperation: Cooperation, party: Party, now: datetime, *, reason: str) -> Work:
    return Work({}, comment=texts.screened(surface=texts.REVISION, field="reason", text=reason))


def _complete(cooperation: Cooperation, party: Party, now: datetime) -> Work:
    money.release_locked(cooperation)
    cooperation.completed_at = now
    return Work(
        {"creator": cooperation.price, "platform": cooperation.escrow_paid - cooperation.price},
        fields=("creator_paid", "completed_at"),
    )


def _resolve(
    cooperation: Cooperation, party: Party, now: datetime, *, creator_share: int, note: str
) -> Work:
    if not note.strip():
        raise InvalidInput(
            "Say why.", code="cooperation.reason_required", fields={"note": ["Required."]}
        )
    shares = money.split_locked(cooperation, creator_share)
    cooperation.completed_at = now
    return Work(shares, fields=("creator_paid", "completed_at"), comment=note)


def _nothing(cooperation: Cooperation, party: Party, now: datetime) -> Work:
    return Work({})


HANDLERS: dict[str, Handler] = {
    "counter": _counter,
    "accept": _accept,
    "decline": _nothing,
    "fund": _fund,
    "start": _nothing,
    "submit": _submit,
    "request_revision": _request_revision,
    "approve": _nothing,
    "publish": _publish,
    "complete": _complete,
    "cancel": _cancel,
    "dispute": _dispute,
    "resolve": _resolve,
    "expire": _nothing,
}


def act_locked(
    cooperation: Cooperation, action: str, party: Party, now: datetime, **arguments: Any
) -> Cooperation:
    """Check the move, do the action's work and record it; the caller holds the row lock."""
    COOPERATION_MACHINE.next_state(cooperation.status, action)  # 409 before any work
    work = HANDLERS[action](cooperation, party, now, **arguments)
    record_move_locked(
        cooperation,
        action,
        party,
        now=now,
        comment=work.comment,
        details=work.details,
        fields=work.fields,
    )
    if action == "accept" and money.try_fund_locked(cooperation):
        # Accepting funds the escrow at once when the brand's wallet covers it (else the
        # brand's owner or finance member funds it later, before the acceptance expires).
        record_move_locked(
            cooperation,
            "fund",
            Party(Side.SYSTEM, None),
            now=now,
            details={"escrow": cooperation.escrow_paid},
            fields=("escrow_paid",),
        )
    return cooperation


def cooperation_act(
    *, user: User, cooperation_id: int, action: str, now: datetime | None = None, **arguments: Any
) -> Cooperation:
    """A party's action on a cooperation (accept, counter, submit, approve...), one transaction."""
    now = now or timezone.now()
    with entry_atomic():
        cooperation, party = get_cooperation_for_party(
            user=user, cooperation_id=cooperation_id, action=action, lock=True
        )
        return act_locked(cooperation, action, party, now, **arguments)


def cooperation_deadline_move(*, cooperation_id: int, action: str, now: datetime) -> bool:
    """A deadline's move (expire, approve, complete), if still due under the lock; else nothing."""
    with entry_atomic():
        cooperation = (
            Cooperation.objects.select_for_update(of=("self",)).filter(pk=cooperation_id).first()
        )
        if cooperation is None or cooperation.deadline_at is None or cooperation.deadline_at > now:
            return False
        if not COOPERATION_MACHINE.allows(cooperation.status, action):
            return False
        act_locked(cooperation, action, Party(Side.SYSTEM, None), now)
        return True


def cooperation_resolve(
    *, operator: User, cooperation_id: int, creator_share: int, note: str
) -> Cooperation:
    """An operator's dispute decision (the admin form): the escrow split, audited."""
    if not (
        operator.is_active and operator.is_staff and operator.has_perm("brands.change_cooperation")
    ):
        raise Forbidden("Only operators resolve disputes.", code="cooperation.not_operator")
    now = timezone.now()
    with entry_atomic():
        cooperation = Cooperation.objects.select_for_update(of=("self",)).get(pk=cooperation_id)
        if operator.pk == cooperation.creator_id or operator.pk in organisation_member_ids(
            organisation_id=cooperation.brand_id
        ):
            raise Forbidden("Not on your own cooperation.", code="cooperation.self_decision")
        party = Party(Side.OPERATOR, operator)
        return act_locked(
            cooperation, "resolve", party, now, creator_share=creator_share, note=note
        )
