"""Payouts: a creator (or an organisation's finance member) asks to withdraw; a second person
decides.

The amount is held at request. Every decision goes through ``_payout_decide``: it locks the
payout, refuses anyone but an active operator holding ``ledger.change_payout`` (403
``payout.not_operator``) and the requester themselves or, for an organisation's payout, any of its
members (403 ``payout.self_decision``: money decisions need a second person, as moderation
decisions do), moves the payout through
``PAYOUT_MACHINE`` (409 ``payout.illegal_transition``), posts the money and writes the
``PayoutEvent`` naming the operator, all in one durable transaction. The admin's actions call
these services, so the audit trail is the same whichever way a decision is made.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.organisation_selectors import organisation_member_ids
from apps.core.errors import Forbidden, NotFound
from apps.ledger.models import (
    PAYOUT_MACHINE,
    AccountKind,
    OwnerType,
    Payout,
    PayoutEvent,
    PayoutStatus,
    TransactionKind,
)
from apps.ledger.services.accounts import system_account
from apps.ledger.services.owners import owner_hold, owner_wallet
from apps.ledger.services.posting import check_amount, transaction_post

PAYOUT_PERMISSION = "ledger.change_payout"


def payout_request(
    *, user: User, amount: int, method: str, account_name: str, account_number: str
) -> Payout:
    """Ask to withdraw from my own wallet: the amount moves to my hold at once."""
    return owner_payout_request(
        owner_type=OwnerType.USER,
        owner_id=user.pk,
        requested_by=user,
        amount=amount,
        method=method,
        account_name=account_name,
        account_number=account_number,
    )


def owner_payout_request(
    *,
    owner_type: str,
    owner_id: int,
    requested_by: User,
    amount: int,
    method: str,
    account_name: str,
    account_number: str,
) -> Payout:
    """Withdraw from an owner's wallet (the caller checked ``requested_by`` may): the amount
    moves from the wallet to the owner's hold in the same transaction as the payout row."""
    check_amount(amount, minimum=settings.LEDGER_PAYOUT_MIN_FEN)
    now = timezone.now()
    with transaction.atomic():
        payout = Payout.objects.create(
            owner_type=owner_type,
            owner_id=owner_id,
            requested_by=requested_by,
            amount=amount,
            method=method,
            account_name=account_name,
            account_number=account_number,
            created_at=now,
            updated_at=now,
        )
        payout.hold_transaction = transaction_post(
            kind=TransactionKind.PAYOUT_HOLD,
            legs=[
                (owner_wallet(owner_type=owner_type, owner_id=owner_id), -amount),
                (owner_hold(owner_type=owner_type, owner_id=owner_id), amount),
            ],
            description=f"Payout #{payout.pk} requested",
            key=f"payout:{payout.pk}:hold",
        )
        payout.save(update_fields=["hold_transaction"])
        PayoutEvent.objects.create(
            payout=payout, to_status=PayoutStatus.REQUESTED, actor=requested_by, created_at=now
        )
    return payout


def _check_decider(payout: Payout, operator: User | None) -> None:
    allowed = (
        operator is not None
        and operator.is_active
        and operator.is_staff
        and operator.has_perm(PAYOUT_PERMISSION)
    )
    if not allowed:
        raise Forbidden("Only payout operators can decide on payouts.", code="payout.not_operator")
    own = operator.pk == payout.requested_by_id or (
        payout.owner_type == OwnerType.USER and operator.pk == payout.owner_id
    )
    if not own and payout.owner_type == OwnerType.ORGANISATION:
        # A member deciding on their organisation's payout is deciding on their own money.
        own = operator.pk in organisation_member_ids(organisation_id=payout.owner_id)
    if own:
        raise Forbidden(
            "You requested this payout or belong to its owner: another operator must decide.",
            code="payout.self_decision",
        )


def _payout_decide(*, payout_id: int, action: str, operator: User | None, note: str) -> Payout:
    """The payout machine's one mover: lock, check who decides, move, post money, log the event."""
    with transaction.atomic(durable=True):
        payout = Payout.objects.select_for_update().filter(pk=payout_id).first()
        if payout is None:
            raise NotFound("Payout not found.", code="payout.not_found")
        _check_decider(payout, operator)
        from_status, to_status = PAYOUT_MACHINE.move(payout, action)
        owner = {"owner_type": payout.owner_type, "owner_id": payout.owner_id}
        hold = owner_hold(**owner)
        if to_status in (PayoutStatus.REJECTED, PayoutStatus.FAILED):
            payout.settle_transaction = transaction_post(
                kind=TransactionKind.PAYOUT_RELEASE,
                legs=[(hold, -payout.amount), (owner_wallet(**owner), payout.amount)],
                description=f"Payout #{payout.pk} {to_status}: funds returned",
                key=f"payout:{payout.pk}:release",
            )
        elif to_status == PayoutStatus.PAID:
            payout.settle_transaction = transaction_post(
                kind=TransactionKind.PAYOUT_PAID,
                legs=[
                    (hold, -payout.amount),
                    (system_account(AccountKind.PAYOUT_CLEARING), payout.amount),
                ],
                description=f"Payout #{payout.pk} paid",
                key=f"payout:{payout.pk}:paid",
            )
        now = timezone.now()
        PayoutEvent.objects.create(
            payout=payout,
            from_status=from_status,
            to_status=to_status,
            actor=operator,
            note=note[:200],
            created_at=now,
        )
        payout.note = note[:200]
        payout.updated_at = now
        payout.save(update_fields=["status", "note", "settle_transaction", "updated_at"])
    return payout


def payout_approve(*, payout_id: int, operator: User | None, note: str = "") -> Payout:
    """An operator accepts the request; the money stays held until paid or failed."""
    return _payout_decide(payout_id=payout_id, action="approve", operator=operator, note=note)


def payout_reject(*, payout_id: int, operator: User | None, note: str = "") -> Payout:
    """An operator refuses the request; the held money returns to the wallet."""
    return _payout_decide(payout_id=payout_id, action="reject", operator=operator, note=note)


def payout_mark_paid(*, payout_id: int, operator: User | None, note: str = "") -> Payout:
    """The money left the platform (to payout clearing, the mirror of the outside world)."""
    return _payout_decide(payout_id=payout_id, action="mark_paid", operator=operator, note=note)


def payout_mark_failed(*, payout_id: int, operator: User | None, note: str = "") -> Payout:
    """The transfer to the creator failed; the held money returns to the wallet."""
    return _payout_decide(payout_id=payout_id, action="mark_failed", operator=operator, note=note)
