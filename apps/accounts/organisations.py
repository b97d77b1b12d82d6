"""Organisation writes: creation, membership, and the operators' verification decisions.

Every membership change locks the organisation row first (``get_organisation_for_member(...,
lock=True)``), so "an organisation always keeps at least one owner" is checked against a member
list nobody changes meanwhile: two owners leaving at once cannot both pass the check.
Lock order: idempotency key (money routes), organisation row, membership rows, ledger accounts.

Texts users write (name, contact name) pass the screening slot moderation fills
(``apps.accounts.hooks``): a blocked text is a 400; a text held for review is stored and named in
``Organisation.screening_held``, which the operator reads before verifying (no organisation can
spend before an operator looked at it, so the review happens at verification).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.hooks import ProfileSurface, screen_text
from apps.accounts.models import User
from apps.accounts.organisation_hooks import (
    OrganisationChange,
    OrganisationEvent,
    organisation_changed,
)
from apps.accounts.organisation_models import (
    VERIFICATION_MACHINE,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationVerificationEvent,
    VerificationStatus,
)
from apps.accounts.organisation_selectors import (
    ALL_ROLES,
    MEMBER_ADMIN_ROLES,
    OWNER_ROLES,
    get_organisation_for_member,
)
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound

VERIFY_PERMISSION = "accounts.change_organisation"
SCREENED_FIELDS = ("name", "contact_name")


def _screen(fields: dict[str, str]) -> list[str]:
    """Screen the user-written texts in place; returns the names of those held for review."""
    held = []
    for name in SCREENED_FIELDS:
        result = screen_text(surface=ProfileSurface.PROFILE, text=fields[name])
        result.raise_if_blocked()
        fields[name] = result.text
        if result.needs_review:
            held.append(name)
    return held


def _notify(
    change: OrganisationChange,
    organisation: Organisation,
    *,
    user_id: int,
    actor: User,
    role: str = "",
    reason: str = "",
) -> None:
    organisation_changed(
        OrganisationEvent(
            change=change,
            organisation_id=organisation.pk,
            organisation_name=organisation.name,
            user_id=user_id,
            actor_id=actor.pk,
            role=role,
            reason=reason,
        )
    )


def organisation_create(
    *,
    user: User,
    kind: str,
    name: str,
    business_licence_number: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str = "",
) -> Organisation:
    """Create a brand or MCN organisation, pending verification, with its creator as owner."""
    texts = {"name": name.strip(), "contact_name": contact_name.strip()}
    held = _screen(texts)
    now = timezone.now()
    with transaction.atomic():
        organisation = Organisation.objects.create(
            kind=kind,
            name=texts["name"],
            contact_name=texts["contact_name"],
            business_licence_number=business_licence_number.strip().upper(),
            contact_phone=contact_phone,
            contact_email=contact_email,
            screening_held=",".join(held),
            created_by=user,
            created_at=now,
            updated_at=now,
        )
        Membership.objects.create(
            organisation=organisation,
            user=user,
            role=MembershipRole.OWNER,
            created_at=now,
            updated_at=now,
        )
    return organisation


def _membership_for_update(organisation: Organisation, user_id: int) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .filter(organisation=organisation, user_id=user_id)
        .first()
    )
    if membership is None:
        raise NotFound("This user is not a member.", code="membership.not_found")
    return membership


def _owner_count(organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation, role=MembershipRole.OWNER).count()


@transaction.atomic
def membership_invite(*, organisation_id: int, actor: User, username: str, role: str) -> Membership:
    """Add a user (by username) to the organisation; owners and managers may, managers not as
    owner. The new member is told through the organisation listeners (notifications)."""
    organisation = get_organisation_for_member(
        user=actor, organisation_id=organisation_id, roles=MEMBER_ADMIN_ROLES, lock=True
    )
    if role == MembershipRole.OWNER and organisation.membership.role != MembershipRole.OWNER:
        raise Forbidden("Only an owner can add another owner.", code="membership.owner_only")
    invitee = User.objects.filter(username__iexact=username.strip(), is_active=True).first()
    if invitee is None:
        raise NotFound(
            "No active user has this username.",
            code="user.not_found",
            fields={"username": ["No active user has this username."]},
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organisation=organisation,
                user=invitee,
                role=role,
                invited_by=actor,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise Conflict("This user is already a member.", code="membership.already_member") from exc
    _notify(
        OrganisationChange.MEMBER_ADDED, organisation, user_id=invitee.pk, actor=actor, role=role
    )
    return membership


@transaction.atomic
def membership_role_change(
    *, organisation_id: int, actor: User, user_id: int, role: str | None
) -> Membership:
    """An owner changes a member's role; the last owner cannot be demoted (409).

    ``role=None`` (a PATCH without it) changes nothing but is checked like a change.
    """
    organisation = get_organisation_for_member(
        user=actor, organisation_id=organisation_id, roles=OWNER_ROLES, lock=True
    )
    membership = _membership_for_update(organisation, user_id)
    if role is None or membership.role == role:
        return membership
    if membership.role == MembershipRole.OWNER and _owner_count(organisation) <= 1:
        raise Conflict(
            "An organisation needs at least one owner: make someone else owner first.",
            code="organisation.last_owner",
        )
    membership.role = role
    membership.updated_at = timezone.now()
    membership.save(update_fields=["role", "updated_at"])
    _notify(OrganisationChange.ROLE_CHANGED, organisation, user_id=user_id, actor=actor, role=role)
    return membership


@transaction.atomic
def membership_remove(*, organisation_id: int, actor: User, user_id: int) -> None:
    """Remove a member, or leave when ``user_id`` is the actor's own.

    Anyone may leave; owners remove anyone, managers remove members who are not owners. The last
    owner can neither leave nor be removed (409 ``organisation.last_owner``).
    """
    leaving = user_id == actor.pk
    organisation = get_organisation_for_member(
        user=actor,
        organisation_id=organisation_id,
        roles=ALL_ROLES if leaving else MEMBER_ADMIN_ROLES,
        lock=True,
    )
    membership = _membership_for_update(organisation, user_id)
    if (
        not leaving
        and membership.role == MembershipRole.OWNER
        and organisation.membership.role != MembershipRole.OWNER
    ):
        raise Forbidden("Only an owner can remove an owner.", code="membership.owner_only")
    if membership.role == MembershipRole.OWNER and _owner_count(organisation) <= 1:
        raise Conflict(
            "An organisation needs at least one owner: make someone else owner first.",
            code="organisation.last_owner",
        )
    membership.delete()
    _notify(OrganisationChange.MEMBER_REMOVED, organisation, user_id=user_id, actor=actor)


def membership_leave(*, organisation_id: int, user: User) -> None:
    """Leave an organisation (the last owner cannot)."""
    membership_remove(organisation_id=organisation_id, actor=user, user_id=user.pk)


# --- Verification (operators) -----------------------------------------------------------------


def _check_operator(organisation_id: int, operator: User | None) -> None:
    allowed = (
        operator is not None
        and operator.is_active
        and operator.is_staff
        and operator.has_perm(VERIFY_PERMISSION)
    )
    if not allowed:
        raise Forbidden(
            "Only operators may verify organisations.", code="organisation.not_operator"
        )
    if Membership.objects.filter(organisation_id=organisation_id, user_id=operator.pk).exists():
        raise Forbidden(
            "You are a member of this organisation: another operator must decide.",
            code="organisation.self_decision",
        )


def _decide(
    *, organisation_id: int, operator: User | None, action: str, reason: str
) -> Organisation:
    """Lock, check the operator, move through the machine, audit, tell the owners."""
    reason = reason.strip()[:200]
    if action == "reject" and not reason:
        raise InvalidInput(
            "Give the organisation a reason for the rejection.",
            code="organisation.reason_required",
            fields={"reason": ["Required to reject."]},
        )
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
        if organisation is None:
            raise NotFound("Organisation not found.", code="organisation.not_found")
        _check_operator(organisation_id, operator)
        from_status, to_status = VERIFICATION_MACHINE.move(organisation, action)
        now = timezone.now()
        verified = to_status == VerificationStatus.VERIFIED
        organisation.rejection_reason = "" if verified else reason
        organisation.verified_at = now if verified else None
        organisation.updated_at = now
        organisation.save(
            update_fields=["verification_status", "rejection_reason", "verified_at", "updated_at"]
        )
        OrganisationVerificationEvent.objects.create(
            organisation=organisation,
            from_status=from_status,
            to_status=to_status,
            actor=operator,
            reason=reason,
            created_at=now,
        )
        change = OrganisationChange.VERIFIED if verified else OrganisationChange.REJECTED
        owners = Membership.objects.filter(
            organisation=organisation, role=MembershipRole.OWNER
        ).values_list("user_id", flat=True)
        for owner_id in owners:
            _notify(change, organisation, user_id=owner_id, actor=operator, reason=reason)
    return organisation


def organisation_verify(
    *, organisation_id: int, operator: User | None, reason: str = ""
) -> Organisation:
    """An operator verifies the organisation: it may now spend, top up and be paid out."""
    return _decide(
        organisation_id=organisation_id, operator=operator, action="verify", reason=reason
    )


def organisation_reject(
    *, organisation_id: int, operator: User | None, reason: str
) -> Organisation:
    """An operator rejects (or revokes) verification, with a reason the owners are shown."""
    return _decide(
        organisation_id=organisation_id, operator=operator, action="reject", reason=reason
    )
