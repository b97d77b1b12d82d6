"""Growth programs: nightly invitations, applications, operators' decisions, benefits.

Benefits are granted once per approved application: the grant takes the application's row lock,
writes its ``ProgramBenefit`` (one-to-one, so a second grant cannot exist) and posts the
promotion credits with the ledger's ``platform_credit`` keyed by the application, all in one
transaction. Leaving or removal revokes badge and boost; credits already given stay given.
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.ledger.services import Owner, platform_credit
from apps.notifications.services import notification_send, notification_send_many
from apps.programs.eligibility import eligible_creators, invitations_insert
from apps.programs.models import (
    APPLICATION_MACHINE,
    ApplicationStatus,
    GrowthProgram,
    ProgramApplication,
    ProgramBenefit,
)

logger = logging.getLogger(__name__)
OPERATOR_PERMISSION = "programs.change_programapplication"


def programs_invite_eligible(*, now: datetime | None = None) -> dict[str, int]:
    """The nightly job: invite every eligible creator, one statement per active program."""
    now = now or timezone.now()
    invited: dict[str, int] = {}
    for program in GrowthProgram.objects.filter(is_active=True).order_by("pk"):
        with transaction.atomic():
            creator_ids = invitations_insert(program, now=now)
            notification_send_many(
                recipient_ids=creator_ids,
                kind="programs.invited",
                payload={"program_id": program.pk, "program_name": program.name},
            )
        invited[program.key] = len(creator_ids)
    return invited


def program_apply(
    *, program_id: int, user: User, now: datetime | None = None
) -> ProgramApplication:
    """Apply to a program: from an invitation, or directly when the rules admit me."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        program = GrowthProgram.objects.filter(pk=program_id, is_active=True).first()
        if program is None:
            raise NotFound("Program not found.", code="program.not_found")
        application = (
            ProgramApplication.objects.select_for_update()
            .filter(program=program, creator_id=user.pk)
            .first()
        )
        if application is None:
            if not eligible_creators(program, now=now).filter(user_id=user.pk).exists():
                raise Conflict(
                    "You do not meet this program's rules yet.", code="program.not_eligible"
                )
            try:
                with transaction.atomic():
                    application = ProgramApplication.objects.create(
                        program=program,
                        creator=user,
                        status=ApplicationStatus.APPLIED,
                        applied_at=now,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                raise Conflict(
                    "You have already applied.", code="program_application.illegal_transition"
                ) from None
            return application
        APPLICATION_MACHINE.move(application, "apply")
        application.applied_at = application.updated_at = now
        application.save()
    return application


def _check_operator(operator: User) -> None:
    if not (operator.is_active and operator.is_staff and operator.has_perm(OPERATOR_PERMISSION)):
        raise Forbidden("Only program operators decide.", code="program.not_operator")


def _locked(application_id: int) -> ProgramApplication:
    application = (
        ProgramApplication.objects.select_for_update(of=("self",))
        .select_related("program")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound("Application not found.", code="program_application.not_found")
    return application


def _decide(
    application_id: int, action: str, operator: User, reason: str, now: datetime
) -> ProgramApplication:
    _check_operator(operator)
    if action in ("reject", "remove") and not reason.strip():
        raise InvalidInput(
            "A reason is required.",
            code="program.reason_required",
            fields={"reason": ["Required."]},
        )
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        application = _locked(application_id)
        if application.creator_id == operator.pk:
            raise Forbidden(
                "You cannot decide on your own application.", code="program.self_decision"
            )
        APPLICATION_MACHINE.move(application, action)
        application.decided_at = application.updated_at = now
        application.decided_by = operator
        application.reason = reason.strip()[:300]
        application.save()
        if action == "remove":
            _revoke(application, now)
        notification_send(
            recipient_id=application.creator_id,
            kind=f"programs.application_{application.status}",
            payload={
                "program_id": application.program_id,
                "program_name": application.program.name,
                "reason": application.reason,
            },
        )
        if action == "approve":
            try:
                with transaction.atomic():
                    _grant_locked(application, now)
            except Conflict as refused:  # the platform cannot pay now: the nightly job retries
                logger.warning("benefits of application %s deferred: %s", application.pk, refused)
    return application


def application_approve(
    *, application_id: int, operator: User, now: datetime | None = None
) -> ProgramApplication:
    """An operator admits the creator; benefits are granted in the same transaction (or by the
    nightly job, if the platform cannot pay the credits now)."""
    return _decide(application_id, "approve", operator, "", now or timezone.now())


def application_reject(
    *, application_id: int, operator: User, reason: str, now: datetime | None = None
) -> ProgramApplication:
    """An operator refuses, with a reason the creator is told."""
    return _decide(application_id, "reject", operator, reason, now or timezone.now())


def application_remove(
    *, application_id: int, operator: User, reason: str, now: datetime | None = None
) -> ProgramApplication:
    """An operator removes a member; badge and boost are revoked."""
    return _decide(application_id, "remove", operator, reason, now or timezone.now())


def application_leave(
    *, application_id: int, user: User, now: datetime | None = None
) -> ProgramApplication:
    """The creator leaves (or withdraws an application); badge and boost are revoked."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        application = (
            ProgramApplication.objects.select_for_update()
            .filter(pk=application_id, creator_id=user.pk)
            .first()
        )
        if application is None:
            raise NotFound("Application not found.", code="program_application.not_found")
        APPLICATION_MACHINE.move(application, "leave")
        application.updated_at = now
        application.save()
        _revoke(application, now)
    return application


def _revoke(application: ProgramApplication, now: datetime) -> None:
    ProgramBenefit.objects.filter(application=application, revoked_at__isnull=True).update(
        revoked_at=now
    )


def benefit_grant(*, application_id: int, now: datetime | None = None) -> ProgramBenefit | None:
    """Grant an approved application's benefits, once: None when already granted or no longer
    approved. The credits come from the platform's revenue (409 when it cannot pay)."""
    now = now or timezone.now()
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        return _grant_locked(_locked(application_id), now)


def _grant_locked(application: ProgramApplication, now: datetime) -> ProgramBenefit | None:
    """Grant under the application's row lock (held by the caller), unless already granted."""
    if application.status != ApplicationStatus.APPROVED:
        return None
    if ProgramBenefit.objects.filter(application=application).exists():
        return None
    program = application.program
    credit_tx = None
    if program.promotion_credit_fen:
        credit_tx = platform_credit(
            recipient=Owner.user(application.creator_id),
            amount=program.promotion_credit_fen,
            key=f"program-benefit:{application.pk}",
            description=f"Promotion credits: {program.name}",
        )
    benefit = ProgramBenefit.objects.create(
        application=application,
        creator_id=application.creator_id,
        credit_fen=program.promotion_credit_fen,
        credit_transaction_id=credit_tx.pk if credit_tx is not None else None,
        badge=program.badge,
        boost_weight=program.boost_weight,
        granted_at=now,
    )
    notification_send(
        recipient_id=application.creator_id,
        kind="programs.benefits_granted",
        payload={
            "program_id": program.pk,
            "credit_fen": benefit.credit_fen,
            "badge": benefit.badge,
        },
    )
    return benefit


def benefits_grant_due(*, now: datetime | None = None) -> int:
    """Grant every approved application still without benefits (safe to run twice or at once)."""
    granted = 0
    due = ProgramApplication.objects.filter(
        status=ApplicationStatus.APPROVED, benefit__isnull=True
    ).order_by("pk")
    for application_id in list(due.values_list("pk", flat=True)):
        try:
            if benefit_grant(application_id=application_id, now=now) is not None:
                granted += 1
        except Conflict as refused:  # the platform cannot pay now: retried next run
            logger.warning("benefits of application %s not granted: %s", application_id, refused)
    return granted
