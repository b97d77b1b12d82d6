"""Organisation reads, and the one permission-checked fetch every organisation route uses.

``get_organisation_for_member`` answers 404 to a non-member (an outsider cannot even confirm that
an id exists) and 403 to a member whose role does not allow the action. Routes name the roles
they need with the sets below, so "who may do what" lives in one table (docs/organisations.md).
"""

from collections.abc import Collection, Iterable

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.accounts.organisation_models import (
    Membership,
    MembershipRole,
    Organisation,
    VerificationStatus,
)
from apps.core.errors import Conflict, Forbidden, NotFound

ALL_ROLES: frozenset[str] = frozenset(MembershipRole.values)
MONEY_ROLES: frozenset[str] = frozenset({MembershipRole.OWNER, MembershipRole.FINANCE})
MEMBER_ADMIN_ROLES: frozenset[str] = frozenset({MembershipRole.OWNER, MembershipRole.MANAGER})
OWNER_ROLES: frozenset[str] = frozenset({MembershipRole.OWNER})


def get_organisation_for_member(
    *,
    user: User,
    organisation_id: int,
    roles: Collection[str] = ALL_ROLES,
    lock: bool = False,
) -> Organisation:
    """The organisation with the user's membership on ``membership``; 404 outsider, 403 role.

    With ``lock`` the organisation row is taken ``FOR UPDATE`` (the caller is in a transaction):
    membership and verification are then checked against a row nobody can change meanwhile.
    """
    queryset = Organisation.objects.all()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    organisation = queryset.filter(pk=organisation_id).first() if organisation_id else None
    membership = (
        Membership.objects.filter(organisation_id=organisation.pk, user_id=user.pk).first()
        if organisation is not None and user.is_active
        else None
    )
    if membership is None:
        raise NotFound("Organisation not found.", code="organisation.not_found")
    if membership.role not in roles:
        raise Forbidden(
            "Your role in this organisation does not allow this.",
            code="organisation.role_forbidden",
        )
    organisation.membership = membership
    return organisation


def organisation_require_verified(*, organisation: Organisation) -> None:
    """409 ``organisation.not_verified`` unless an operator verified it (before spending, campaigns,
    top-ups and payouts)."""
    if organisation.verification_status != VerificationStatus.VERIFIED:
        raise Conflict(
            "Only verified organisations can do this; verification is "
            f"{organisation.verification_status}.",
            code="organisation.not_verified",
        )


def organisation_list_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's memberships with their organisations, one query (paged by creation)."""
    return Membership.objects.filter(user=user).select_related("organisation")


def membership_list(*, organisation: Organisation) -> QuerySet[Membership]:
    """The organisation's members with their profiles, one query (paged by creation)."""
    return Membership.objects.filter(organisation=organisation).select_related("user__profile")


def organisation_member_ids(*, organisation_id: int) -> set[int]:
    """Ids of every member (the payout desk refuses members deciding on their own payouts)."""
    return set(
        Membership.objects.filter(organisation_id=organisation_id).values_list("user_id", flat=True)
    )


def organisation_names(*, organisation_ids: Iterable[int]) -> dict[int, str]:
    """Names by id in one query (operators' screens show owners by name)."""
    return dict(Organisation.objects.filter(pk__in=set(organisation_ids)).values_list("pk", "name"))
