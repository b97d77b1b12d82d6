"""Organisations: creation, membership rules, verification by operators, screening, API."""

import pytest

from apps.accounts import organisations as services
from apps.accounts.models import Membership, Organisation, OrganisationVerificationEvent
from apps.accounts.organisation_selectors import (
    MONEY_ROLES,
    get_organisation_for_member,
    organisation_require_verified,
)
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.core.states import IllegalTransition
from apps.moderation import services as moderation
from apps.notifications.models import Notification
from tests.accounts.organisation_factories import (
    add_member,
    make_organisation,
    organisation_with_roles,
    verification_operator,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CREATE = {
    "kind": "mcn",
    "name": "星河文化",
    "business_licence_number": "91440300MA5FXXXX1K",
    "contact_name": "王芳",
    "contact_phone": "13811112222",
}


def _roles(organisation: Organisation) -> dict[int, str]:
    return dict(Membership.objects.filter(organisation=organisation).values_list("user_id", "role"))


# --- Creation and screening --------------------------------------------------------------------


def test_creator_becomes_the_only_owner_and_the_organisation_waits_for_verification() -> None:
    owner = UserFactory()
    organisation = services.organisation_create(user=owner, **CREATE)
    assert organisation.verification_status == "pending"
    assert organisation.business_licence_number == CREATE["business_licence_number"].upper()
    assert _roles(organisation) == {owner.pk: "owner"}
    with pytest.raises(Conflict) as refused:
        organisation_require_verified(organisation=organisation)
    assert refused.value.code == "organisation.not_verified"


def test_a_blocked_name_is_refused_and_nothing_is_written() -> None:
    moderation.keyword_rule_create(
        term="赌场", category="gambling", action="block", surfaces=["profile"]
    )
    with pytest.raises(InvalidInput) as refused:
        services.organisation_create(user=UserFactory(), **{**CREATE, "name": "澳门赌场"})
    assert refused.value.code == "moderation.blocked"
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()


def test_texts_held_for_review_are_named_for_the_verifying_operator() -> None:
    moderation.keyword_rule_create(
        term="代购", category="ads", action="review", surfaces=["profile"]
    )
    moderation.keyword_rule_create(term="傻", category="abuse", action="mask", surfaces=["profile"])
    organisation = services.organisation_create(
        user=UserFactory(), **{**CREATE, "name": "海外代购", "contact_name": "傻子"}
    )
    assert organisation.screening_held == "name"
    assert organisation.contact_name != "傻子"  # masked as the rule says


# --- Membership ---------------------------------------------------------------------------------


def test_owner_and_manager_invite_by_username_and_the_member_is_notified(
    django_capture_on_commit_callbacks,
) -> None:
    organisation, members = organisation_with_roles()
    newcomer = UserFactory(username="Newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(
            organisation_id=organisation.pk,
            actor=members["manager"],
            username="newcomer",  # usernames match case-insensitively
            role="viewer",
        )
    assert _roles(organisation)[newcomer.pk] == "viewer"
    note = Notification.objects.get(recipient=newcomer)
    assert note.kind == "organisation.member_added"
    assert note.payload["organisation_id"] == organisation.pk


@pytest.mark.parametrize(
    ("actor_role", "role", "code"),
    [
        ("manager", "owner", "membership.owner_only"),
        ("finance", "viewer", "organisation.role_forbidden"),
        ("viewer", "viewer", "organisation.role_forbidden"),
    ],
)
def test_who_may_invite(actor_role: str, role: str, code: str) -> None:
    organisation, members = organisation_with_roles()
    before = _roles(organisation)
    with pytest.raises(Forbidden) as refused:
        services.membership_invite(
            organisation_id=organisation.pk,
            actor=members[actor_role],
            username=UserFactory().username,
            role=role,
        )
    assert refused.value.code == code
    assert _roles(organisation) == before


def test_invite_refuses_unknown_users_members_and_outsiders() -> None:
    organisation, members = organisation_with_roles()
    owner = members["owner"]
    with pytest.raises(NotFound):
        services.membership_invite(
            organisation_id=organisation.pk, actor=owner, username="nobody-here", role="viewer"
        )
    with pytest.raises(Conflict) as duplicate:
        services.membership_invite(
            organisation_id=organisation.pk,
            actor=owner,
            username=members["viewer"].username,
            role="finance",
        )
    assert duplicate.value.code == "membership.already_member"
    with pytest.raises(NotFound):
        services.membership_invite(
            organisation_id=organisation.pk,
            actor=UserFactory(),
            username=UserFactory().username,
            role="viewer",
        )


def test_only_owners_change_roles_and_the_last_owner_stays() -> None:
    organisation, members = organisation_with_roles()
    owner, finance = members["owner"], members["finance"]
    with pytest.raises(Forbidden):
        services.membership_role_change(
            organisation_id=organisation.pk,
            actor=members["manager"],
            user_id=finance.pk,
            role="manager",
        )
    with pytest.raises(Conflict) as last:
        services.membership_role_change(
            organisation_id=organisation.pk, actor=owner, user_id=owner.pk, role="viewer"
        )
    assert last.value.code == "organisation.last_owner"
    services.membership_role_change(
        organisation_id=organisation.pk, actor=owner, user_id=finance.pk, role="owner"
    )
    services.membership_role_change(
        organisation_id=organisation.pk, actor=owner, user_id=owner.pk, role="viewer"
    )
    assert _roles(organisation)[owner.pk] == "viewer"
    assert _roles(organisation)[finance.pk] == "owner"


def test_patch_without_a_role_changes_nothing_but_checks_the_actor(make_client) -> None:
    organisation, members = organisation_with_roles()
    owner, finance = members["owner"], members["finance"]
    url = f"/api/v1/organisations/{organisation.pk}/members/{finance.pk}"
    response = make_client(owner).patch(url, {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "finance"
    assert make_client(members["manager"]).patch(url, {}, format="json").status_code == 403
    assert _roles(organisation)[finance.pk] == "finance"


def test_leaving_and_removing() -> None:
    organisation, members = organisation_with_roles()
    owner, manager = members["owner"], members["manager"]
    with pytest.raises(Conflict) as last:
        services.membership_leave(organisation_id=organisation.pk, user=owner)
    assert last.value.code == "organisation.last_owner"
    with pytest.raises(Forbidden) as not_owner:
        services.membership_remove(organisation_id=organisation.pk, actor=manager, user_id=owner.pk)
    assert not_owner.value.code == "membership.owner_only"
    with pytest.raises(Forbidden):
        services.membership_remove(
            organisation_id=organisation.pk, actor=members["viewer"], user_id=members["finance"].pk
        )
    services.membership_remove(
        organisation_id=organisation.pk, actor=manager, user_id=members["finance"].pk
    )
    services.membership_leave(organisation_id=organisation.pk, user=members["viewer"])
    assert set(_roles(organisation)) == {owner.pk, manager.pk}
    with pytest.raises(NotFound):
        services.membership_remove(
            organisation_id=organisation.pk, actor=owner, user_id=members["viewer"].pk
        )


def test_get_organisation_for_member_answers_404_to_outsiders_and_403_to_wrong_roles() -> None:
    organisation, members = organisation_with_roles()
    with pytest.raises(NotFound):
        get_organisation_for_member(user=UserFactory(), organisation_id=organisation.pk)
    for role, user in members.items():
        if role in MONEY_ROLES:
            fetched = get_organisation_for_member(
                user=user, organisation_id=organisation.pk, roles=MONEY_ROLES
            )
            assert fetched.membership.role == role
        else:
            with pytest.raises(Forbidden):
                get_organisation_for_member(
                    user=user, organisation_id=organisation.pk, roles=MONEY_ROLES
                )
    members["viewer"].is_active = False
    members["viewer"].save(update_fields=["is_active"])
    with pytest.raises(NotFound):
        get_organisation_for_member(user=members["viewer"], organisation_id=organisation.pk)


# --- Verification ---------------------------------------------------------------------------------


def test_operator_verifies_and_rejects_with_an_audit_trail(
    django_capture_on_commit_callbacks,
) -> None:
    organisation, members = organisation_with_roles()
    operator = verification_operator()
    with pytest.raises(InvalidInput) as no_reason:
        services.organisation_reject(organisation_id=organisation.pk, operator=operator, reason=" ")
    assert no_reason.value.code == "organisation.reason_required"
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_verify(organisation_id=organisation.pk, operator=operator)
        services.organisation_reject(
            organisation_id=organisation.pk, operator=operator, reason="营业执照已注销"
        )
    organisation.refresh_from_db()
    assert organisation.verification_status == "rejected"
    assert organisation.rejection_reason == "营业执照已注销"
    trail = list(
        OrganisationVerificationEvent.objects.filter(organisation=organisation).values_list(
            "from_status", "to_status", "actor_id", "reason"
        )
    )
    assert trail == [
        ("pending", "verified", operator.pk, ""),
        ("verified", "rejected", operator.pk, "营业执照已注销"),
    ]
    kinds = list(
        Notification.objects.filter(recipient=members["owner"])
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["organisation.verified", "organisation.rejected"]
    with pytest.raises(IllegalTransition):
        services.organisation_reject(organisation_id=organisation.pk, operator=operator, reason="x")


def test_only_operators_who_are_not_members_decide() -> None:
    organisation = make_organisation()
    staff_without_permission = UserFactory(is_staff=True)
    with pytest.raises(Forbidden) as not_operator:
        services.organisation_verify(
            organisation_id=organisation.pk, operator=staff_without_permission
        )
    assert not_operator.value.code == "organisation.not_operator"
    insider = verification_operator()
    add_member(organisation, "viewer", insider)
    with pytest.raises(Forbidden) as own:
        services.organisation_verify(organisation_id=organisation.pk, operator=insider)
    assert own.value.code == "organisation.self_decision"
    organisation.refresh_from_db()
    assert organisation.verification_status == "pending"
    assert not organisation.verification_events.exists()


# --- API ----------------------------------------------------------------------------------------


def test_create_list_and_detail_over_http(api, user) -> None:
    response = api.post("/api/v1/organisations", CREATE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["my_role"], body["verification_status"], body["logo"]) == (
        "owner",
        "pending",
        None,
    )
    assert api.get(f"/api/v1/organisations/{body['id']}").json() == body
    assert [row["id"] for row in api.get("/api/v1/organisations").json()["results"]] == [body["id"]]


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "agency"},
        {"name": ""},
        {"business_licence_number": "12-34"},
        {"contact_phone": "call me"},
        {"contact_email": "not-an-email"},
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(api, change) -> None:
    response = api.post("/api/v1/organisations", {**CREATE, **change})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not Organisation.objects.exists()


def test_members_over_http(make_client) -> None:
    organisation, members = organisation_with_roles()
    owner = make_client(members["owner"])
    base = f"/api/v1/organisations/{organisation.pk}/members"
    newcomer = UserFactory()
    added = owner.post(base, {"username": newcomer.username, "role": "finance"})
    assert added.status_code == 201
    assert added.json()["role"] == "finance"
    changed = owner.patch(f"{base}/{newcomer.pk}", {"role": "viewer"})
    assert changed.json()["role"] == "viewer"
    assert owner.patch(f"{base}/{newcomer.pk}", {"role": "boss"}).status_code == 400
    assert make_client(newcomer).delete(f"{base}/{newcomer.pk}").status_code == 204
    listed = make_client(members["viewer"]).get(base).json()["results"]
    assert {row["user_id"] for row in listed} == {user.pk for user in members.values()}
    last = owner.delete(f"{base}/{members['owner'].pk}")
    assert (last.status_code, last.json()["error"]["code"]) == (409, "organisation.last_owner")


def _fill_organisations(user, n: int) -> None:
    for index in range(n):
        make_organisation(user, name=f"品牌{index}")


def _fill_members(user, n: int) -> None:
    organisation = make_organisation(user)
    for _ in range(n - 1):
        add_member(organisation, "viewer")


@pytest.mark.parametrize(
    ("fill", "url_of"),
    [
        (_fill_organisations, lambda user: "/api/v1/organisations"),
        (
            _fill_members,
            lambda user: f"/api/v1/organisations/{user.memberships.get().organisation_id}/members",
        ),
    ],
)
def test_lists_make_a_constant_number_of_queries(make_client, count_queries, fill, url_of) -> None:
    small, large = UserFactory(), UserFactory()
    fill(small, 1)
    fill(large, 50)
    results = {}

    def fetch(user, client, url):
        response = client.get(url, {"page_size": 50})
        results[user.pk] = response.json()["results"]

    requests = [(user, make_client(user), url_of(user)) for user in (small, large)]
    one = count_queries(lambda: fetch(*requests[0]))
    fifty = count_queries(lambda: fetch(*requests[1]))
    assert (len(results[small.pk]), len(results[large.pk])) == (1, 50)
    assert one == fifty
