"""Organisation test helpers: organisations are made through the services, as in production."""

from django.contrib.auth.models import Permission

from apps.accounts import organisations as services
from apps.accounts.models import Organisation, User
from apps.accounts.organisation_models import MembershipRole
from tests.factories import UserFactory

ROLES = [role.value for role in MembershipRole]


def verification_operator(**kwargs: object) -> User:
    """Staff holding ``accounts.change_organisation``: who may verify organisations."""
    operator = UserFactory(is_staff=True, **kwargs)
    operator.user_permissions.add(
        Permission.objects.get(content_type__app_label="accounts", codename="change_organisation")
    )
    return User.objects.get(pk=operator.pk)  # fresh: no stale permission cache


def make_organisation(
    owner: User | None = None,
    *,
    kind: str = "brand",
    name: str = "青禾护肤",
    verified: bool = False,
) -> Organisation:
    owner = owner or UserFactory()
    organisation = services.organisation_create(
        user=owner,
        kind=kind,
        name=name,
        business_licence_number="91310000MA1FL8XQ3B",
        contact_name="林海",
        contact_phone="13800000000",
    )
    if verified:
        services.organisation_verify(
            organisation_id=organisation.pk, operator=verification_operator()
        )
        organisation.refresh_from_db()
    return organisation


def add_member(organisation: Organisation, role: str, user: User | None = None) -> User:
    """A member with ``role``, added by the organisation's first owner."""
    user = user or UserFactory()
    services.membership_invite(
        organisation_id=organisation.pk,
        actor=organisation.created_by,
        username=user.username,
        role=role,
    )
    return user


def organisation_with_roles(*, verified: bool = False) -> tuple[Organisation, dict[str, User]]:
    """An organisation with one member of each role (the owner is its creator)."""
    organisation = make_organisation(verified=verified)
    members = {MembershipRole.OWNER.value: organisation.created_by}
    for role in ROLES:
        if role != MembershipRole.OWNER:
            members[role] = add_member(organisation, role)
    return organisation, members


def client_for(user: User):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_refused(
    attacker_client,
    members: dict[str, User],
    allowed: set[str],
    request,
) -> None:
    """``request(client)`` gets 404 for the non-member attacker and 403 for every member whose
    role is not in ``allowed`` (acceptance 3 of issue 11)."""
    response = request(attacker_client)
    assert response.status_code == 404, (response.status_code, response.content[:300])
    for role, member in members.items():
        if role in allowed:
            continue
        response = request(client_for(member))
        assert response.status_code == 403, (role, response.status_code, response.content[:300])
        assert response.json()["error"]["code"] == "organisation.role_forbidden"
