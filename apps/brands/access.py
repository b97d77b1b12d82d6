"""Who may see and act on a cooperation: its creator, and the brand's members by role.

A stranger gets 404 (an id reveals nothing); a brand member whose role does not allow the
action gets 403 ``organisation.role_forbidden``; a party acting for the other side gets 403
``cooperation.side_forbidden``. The state is checked after these, under the row lock (409).
"""

from dataclasses import dataclass

from apps.accounts.models import User
from apps.accounts.organisation_selectors import (
    ALL_ROLES,
    MEMBER_ADMIN_ROLES,
    MONEY_ROLES,
    get_organisation_for_member,
)
from apps.brands.cooperation_models import Cooperation, Side
from apps.core.errors import Forbidden, NotFound

# Which side may take each action (system: the deadline task; operator: the admin).
ACTION_SIDES: dict[str, frozenset[str]] = {
    "counter": frozenset({Side.CREATOR, Side.BRAND}),
    "accept": frozenset({Side.CREATOR, Side.BRAND}),
    "decline": frozenset({Side.CREATOR, Side.BRAND}),
    "fund": frozenset({Side.BRAND}),
    "start": frozenset({Side.CREATOR}),
    "submit": frozenset({Side.CREATOR}),
    "request_revision": frozenset({Side.BRAND}),
    "approve": frozenset({Side.BRAND, Side.SYSTEM}),
    "publish": frozenset({Side.CREATOR}),
    "complete": frozenset({Side.SYSTEM}),
    "cancel": frozenset({Side.CREATOR, Side.BRAND}),
    "dispute": frozenset({Side.CREATOR, Side.BRAND}),
    "resolve": frozenset({Side.OPERATOR}),
    "expire": frozenset({Side.SYSTEM}),
}
# Brand roles per action: money moves need owner or finance, everything else owner or manager.
BRAND_ACTION_ROLES: dict[str, frozenset[str]] = {"fund": MONEY_ROLES}
READ = "read"


@dataclass(frozen=True)
class Party:
    """The requester's place in one cooperation."""

    side: str
    user: User | None
    role: str = ""


def cooperation_not_found() -> NotFound:
    return NotFound("Cooperation not found.", code="cooperation.not_found")


def party_for(*, user: User, cooperation: Cooperation, action: str = READ) -> Party:
    """The requester's side, checked for ``action`` (404 stranger, 403 role or side)."""
    if not user.is_authenticated or not user.is_active:
        raise cooperation_not_found()
    if cooperation.creator_id == user.pk:
        party = Party(Side.CREATOR, user)
    else:
        roles = ALL_ROLES if action == READ else BRAND_ACTION_ROLES.get(action, MEMBER_ADMIN_ROLES)
        try:
            organisation = get_organisation_for_member(
                user=user, organisation_id=cooperation.brand_id, roles=ALL_ROLES
            )
        except NotFound:
            raise cooperation_not_found() from None
        if (
            action != READ
            and ACTION_SIDES[action] & {Side.BRAND}
            and (organisation.membership.role not in roles)
        ):
            raise Forbidden(
                "Your role in this organisation does not allow this.",
                code="organisation.role_forbidden",
            )
        party = Party(Side.BRAND, user, organisation.membership.role)
    if action != READ and party.side not in ACTION_SIDES[action]:
        raise Forbidden(
            f"The {party.side} side cannot '{action}' a cooperation.",
            code="cooperation.side_forbidden",
        )
    return party


def get_cooperation_for_party(
    *, user: User, cooperation_id: int, action: str = READ, lock: bool = False
) -> tuple[Cooperation, Party]:
    """The cooperation (row-locked with ``lock``) and the requester's checked place in it."""
    queryset = Cooperation.objects.all()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    cooperation = queryset.filter(pk=cooperation_id).first()
    if cooperation is None:
        raise cooperation_not_found()
    return cooperation, party_for(user=user, cooperation=cooperation, action=action)
