"""Agency contracts: request, accept, decline, withdraw, terminate, and the deadlines.

Lock order (docs/architecture.md): the organisation row (agency-side writes, to check the role
and verification under it), then the contract row; the ledger is not touched here (the split is
posted by the ledger's income moves through the registered resolver).
"""

import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.organisation_models import OrganisationKind
from apps.accounts.organisation_selectors import (
    MEMBER_ADMIN_ROLES,
    get_organisation_for_member,
    organisation_member_ids,
    organisation_require_verified,
)
from apps.analytics.days import analytics_zone
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.moderation.screening import Surface, screen_text
from apps.notifications.services import notification_send
from apps.programs.models import (
    CONTRACT_MACHINE,
    MAX_REVENUE_SHARE,
    RUNNING_STATES,
    AgencyContract,
    ContractEvent,
    ContractSide,
    ContractStatus,
)

MAX_START_DAYS = 365


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when it has fewer days)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _move(
    contract: AgencyContract,
    action: str,
    *,
    side: str,
    actor: User | None,
    now: datetime,
) -> None:
    """Apply ``action`` to the locked contract, save it and write its event row."""
    before, after = CONTRACT_MACHINE.move(contract, action)
    contract.updated_at = now
    contract.save()
    ContractEvent.objects.create(
        contract=contract,
        action=action,
        from_status=before,
        to_status=after,
        side=side,
        actor=actor,
        created_at=now,
    )


def _notify_agency(contract: AgencyContract, kind: str, **extra: object) -> None:
    for member_id in organisation_member_ids(organisation_id=contract.agency_id):
        notification_send(
            recipient_id=member_id,
            kind=kind,
            payload={"contract_id": contract.pk, "creator_id": contract.creator_id, **extra},
        )


def _notify_creator(contract: AgencyContract, kind: str, **extra: object) -> None:
    notification_send(
        recipient_id=contract.creator_id,
        kind=kind,
        payload={"contract_id": contract.pk, "agency_id": contract.agency_id, **extra},
    )


def contract_request(
    *,
    agency_id: int,
    actor: User,
    creator_id: int,
    revenue_share: Decimal,
    starts_on: date,
    term_months: int,
    data_sharing: bool,
    note: str = "",
    now: datetime | None = None,
) -> AgencyContract:
    """A verified MCN agency asks a creator to sign; the request expires after 7 days."""
    now = now or timezone.now()
    if not Decimal(0) <= revenue_share <= MAX_REVENUE_SHARE:
        raise InvalidInput(
            "The revenue share is between 0 and 0.5.",
            code="contract.share_out_of_range",
            fields={"revenue_share": ["Between 0 and 0.5."]},
        )
    today = now.astimezone(analytics_zone()).date()
    if (
        not today - timedelta(days=MAX_START_DAYS)
        <= starts_on
        <= today + timedelta(days=MAX_START_DAYS)
    ):
        raise InvalidInput(
            f"The start is within {MAX_START_DAYS} days of today.",
            code="contract.start_out_of_range",
            fields={"starts_on": [f"Within {MAX_START_DAYS} days of today."]},
        )
    screened = screen_text(surface=Surface.PROGRAMS, text=note) if note else None
    if screened is not None:
        screened.raise_if_blocked()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        agency = get_organisation_for_member(
            user=actor, organisation_id=agency_id, roles=MEMBER_ADMIN_ROLES, lock=True
        )
        if agency.kind != OrganisationKind.MCN:
            raise Conflict("Only MCN agencies sign creators.", code="contract.not_agency")
        organisation_require_verified(organisation=agency)
        creator = User.objects.filter(pk=creator_id, is_active=True).first()
        if creator is None:
            raise NotFound("Creator not found.", code="user.not_found")
        if creator_id in organisation_member_ids(organisation_id=agency.pk):
            raise Conflict("An agency cannot sign its own members.", code="contract.own_member")
        if AgencyContract.objects.filter(creator_id=creator_id, status__in=RUNNING_STATES).exists():
            raise Conflict(
                "This creator is already signed with an agency.", code="contract.creator_signed"
            )
        try:
            with transaction.atomic():
                contract = AgencyContract.objects.create(
                    agency=agency,
                    creator=creator,
                    requested_by=actor,
                    revenue_share=revenue_share,
                    starts_on=starts_on,
                    term_months=term_months,
                    data_sharing=data_sharing,
                    note=screened.text if screened is not None else "",
                    expires_at=now + timedelta(days=settings.PROGRAMS_CONTRACT_REQUEST_DAYS),
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            raise Conflict(
                "This agency already has a pending request to this creator.",
                code="contract.already_requested",
            ) from None
        ContractEvent.objects.create(
            contract=contract,
            action="request",
            from_status="",
            to_status=contract.status,
            side=ContractSide.AGENCY,
            actor=actor,
            created_at=now,
        )
        _notify_creator(contract, "contract.requested", agency_name=agency.name)
    return contract


def _creator_contract(contract_id: int, user: User) -> AgencyContract:
    """The user's own contract, locked; 404 for anyone else's (ids are not confirmed)."""
    contract = (
        AgencyContract.objects.select_for_update()
        .filter(pk=contract_id, creator_id=user.pk)
        .first()
    )
    if contract is None:
        raise NotFound("Contract not found.", code="contract.not_found")
    return contract


def _agency_contract(agency_id: int, contract_id: int, actor: User) -> AgencyContract:
    get_organisation_for_member(
        user=actor, organisation_id=agency_id, roles=MEMBER_ADMIN_ROLES, lock=True
    )
    contract = (
        AgencyContract.objects.select_for_update()
        .filter(pk=contract_id, agency_id=agency_id)
        .first()
    )
    if contract is None:
        raise NotFound("Contract not found.", code="contract.not_found")
    return contract


def contract_accept(*, contract_id: int, user: User, now: datetime | None = None) -> AgencyContract:
    """The creator signs: the contract runs from its start date (or now) for its term."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        contract = _creator_contract(contract_id, user)
        if contract.status == ContractStatus.REQUESTED and contract.expires_at <= now:
            raise Conflict("This request has expired.", code="contract.expired")
        _move_accept(contract, user, now)
    return contract


def _move_accept(contract: AgencyContract, user: User, now: datetime) -> None:
    start = datetime.combine(contract.starts_on, time.min, tzinfo=analytics_zone())
    contract.active_from = max(now, start)
    contract.active_until = add_months(contract.active_from, contract.term_months)
    try:
        with transaction.atomic():
            _move(contract, "accept", side=ContractSide.CREATOR, actor=user, now=now)
    except IntegrityError:
        raise Conflict(
            "You are already signed with an agency.", code="contract.creator_signed"
        ) from None
    _notify_agency(contract, "contract.accepted")


def contract_decline(
    *, contract_id: int, user: User, now: datetime | None = None
) -> AgencyContract:
    """The creator says no to a request."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        contract = _creator_contract(contract_id, user)
        _move(contract, "decline", side=ContractSide.CREATOR, actor=user, now=now)
        _notify_agency(contract, "contract.declined")
    return contract


def contract_withdraw(
    *, agency_id: int, contract_id: int, actor: User, now: datetime | None = None
) -> AgencyContract:
    """The agency takes back a request the creator has not answered."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        contract = _agency_contract(agency_id, contract_id, actor)
        _move(contract, "withdraw", side=ContractSide.AGENCY, actor=actor, now=now)
        _notify_creator(contract, "contract.withdrawn")
    return contract


def _terminate(contract: AgencyContract, side: str, actor: User, now: datetime) -> None:
    """Request termination, or accept the other side's request (then it ends now)."""
    if contract.status == ContractStatus.TERMINATING:
        if contract.termination_requested_by == side:
            raise Conflict(
                "You already asked to end this contract; the other side has 7 days to answer.",
                code="contract.termination_pending",
            )
        contract.ended_at = now
        _move(contract, "accept_termination", side=side, actor=actor, now=now)
        notify = _notify_agency if side == ContractSide.CREATOR else _notify_creator
        notify(contract, "contract.ended")
        return
    contract.termination_requested_by = side
    contract.termination_due_at = now + timedelta(days=settings.PROGRAMS_TERMINATION_DAYS)
    _move(contract, "request_termination", side=side, actor=actor, now=now)
    notify = _notify_agency if side == ContractSide.CREATOR else _notify_creator
    notify(
        contract, "contract.termination_requested", due_at=contract.termination_due_at.isoformat()
    )


def contract_terminate_by_creator(
    *, contract_id: int, user: User, now: datetime | None = None
) -> AgencyContract:
    """The creator asks to end the contract (or accepts the agency's request to)."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        contract = _creator_contract(contract_id, user)
        _terminate(contract, ContractSide.CREATOR, user, now)
    return contract


def contract_terminate_by_agency(
    *, agency_id: int, contract_id: int, actor: User, now: datetime | None = None
) -> AgencyContract:
    """The agency asks to end the contract (or accepts the creator's request to)."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        contract = _agency_contract(agency_id, contract_id, actor)
        _terminate(contract, ContractSide.AGENCY, actor, now)
    return contract


# --- Deadlines (Celery) ---------------------------------------------------------------------


def _due(status_filter: dict, action: str, now: datetime, prepare: object = None) -> int:
    """Move every contract past its deadline, one short transaction each (locked, re-checked)."""
    moved = 0
    due_ids = list(
        AgencyContract.objects.filter(**status_filter).order_by("pk").values_list("pk", flat=True)
    )
    for contract_id in due_ids:
        with transaction.atomic():
            contract = (
                AgencyContract.objects.select_for_update(skip_locked=True)
                .filter(pk=contract_id, **status_filter)
                .first()
            )
            if contract is None:
                continue  # answered meanwhile, or another worker has it
            if action != "expire":
                contract.ended_at = now
            _move(contract, action, side=ContractSide.SYSTEM, actor=None, now=now)
            kind = "contract.expired" if action == "expire" else "contract.ended"
            _notify_creator(contract, kind)
            _notify_agency(contract, kind)
            moved += 1
    return moved


def contracts_expire_due(*, now: datetime | None = None) -> int:
    """Requests not answered within 7 days expire."""
    now = now or timezone.now()
    return _due({"status": ContractStatus.REQUESTED, "expires_at__lte": now}, "expire", now)


def contracts_terminate_due(*, now: datetime | None = None) -> int:
    """Terminations not answered within 7 days are approved."""
    now = now or timezone.now()
    return _due(
        {"status": ContractStatus.TERMINATING, "termination_due_at__lte": now},
        "auto_terminate",
        now,
    )


def contracts_complete_due(*, now: datetime | None = None) -> int:
    """Contracts whose term has run out end."""
    now = now or timezone.now()
    return _due({"status__in": RUNNING_STATES, "active_until__lte": now}, "complete_term", now)
