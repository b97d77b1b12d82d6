"""Every (state, action, actor) triple of the cooperation machine through the API.

Legal moves succeed; illegal ones answer 409 ``cooperation.illegal_transition`` (or the turn
rule's ``cooperation.own_offer``) and write nothing; a stranger gets 404, a brand member whose
role does not allow the action 403 ``organisation.role_forbidden``, a party acting for the other
side 403 ``cooperation.side_forbidden``. The expectations are written out here, not derived
from the code's tables.
"""

import itertools

import pytest
from django.utils import timezone

from apps.brands.cooperation_models import (
    COOPERATION_MACHINE,
    Cooperation,
    CooperationEvent,
    CooperationStatus,
    Offer,
)
from apps.brands.cooperations import cooperation_act
from apps.core.errors import DomainError
from apps.ledger.models import Transaction
from tests.brands.factories import World, arguments_for, cooperation_in, make_world
from tests.factories import UserFactory
from tests.ledger.organisation_money_factories import organisation_top_up
from tests.notes.factories import NoteFactory

pytestmark = pytest.mark.django_db

STATES = [state.value for state in CooperationStatus]
ACTORS = ["creator", "owner", "manager", "finance", "viewer", "stranger"]
# route suffix -> action; "offers" is the counter-offer.
ROUTES = {
    "offers": "counter",
    "accept": "accept",
    "decline": "decline",
    "fund": "fund",
    "start": "start",
    "submit": "submit",
    "request-revision": "request_revision",
    "approve": "approve",
    "publish": "publish",
    "cancel": "cancel",
    "dispute": "dispute",
}
# Who may take each user action: the creator, and brand members by role.
ALLOWED = {
    "counter": {"creator", "owner", "manager"},
    "accept": {"creator", "owner", "manager"},
    "decline": {"creator", "owner", "manager"},
    "fund": {"owner", "finance"},
    "start": {"creator"},
    "submit": {"creator"},
    "request_revision": {"owner", "manager"},
    "approve": {"owner", "manager"},
    "publish": {"creator"},
    "cancel": {"creator", "owner", "manager"},
    "dispute": {"creator", "owner", "manager"},
}
BRAND_ACTIONS = {a for a, who in ALLOWED.items() if who & {"owner", "manager", "finance"}}
# (state, action) pairs that are legal, written out.
LEGAL = {
    ("invited", "counter"), ("applied", "counter"), ("negotiating", "counter"),
    ("invited", "accept"), ("applied", "accept"), ("negotiating", "accept"),
    ("invited", "decline"), ("applied", "decline"), ("negotiating", "decline"),
    ("accepted", "fund"), ("funded", "start"),
    ("drafting", "submit"), ("revision_requested", "submit"),
    ("submitted", "request_revision"), ("submitted", "approve"), ("approved", "publish"),
    ("accepted", "cancel"), ("funded", "cancel"), ("drafting", "cancel"),
    ("submitted", "dispute"), ("revision_requested", "dispute"), ("approved", "dispute"),
    ("published", "dispute"),
}  # fmt: skip
# Whose offer is the latest in each negotiable state (the other side answers it).
LATEST_OFFER = {"invited": "brand", "applied": "creator", "negotiating": "creator"}


def expected(state: str, action: str, actor: str) -> tuple[int, str | None]:
    if actor == "stranger":
        return 404, "cooperation.not_found"
    if actor not in ALLOWED[action]:
        if actor != "creator" and action in BRAND_ACTIONS:
            return 403, "organisation.role_forbidden"
        return 403, "cooperation.side_forbidden"
    if (state, action) not in LEGAL:
        return 409, "cooperation.illegal_transition"
    side = "creator" if actor == "creator" else "brand"
    if action in ("counter", "accept") and LATEST_OFFER.get(state) == side:
        return 409, "cooperation.own_offer"
    return 200, None


def test_the_written_table_is_the_machine() -> None:
    legal = {
        (state, action)
        for state, action in COOPERATION_MACHINE.pairs()
        if COOPERATION_MACHINE.allows(state, action) and action in ALLOWED
    }
    assert legal == LEGAL


def _snapshot(cooperation: Cooperation) -> tuple:
    cooperation.refresh_from_db()
    return (
        cooperation.status,
        cooperation.updated_at,
        cooperation.price,
        cooperation.escrow_paid,
        CooperationEvent.objects.filter(cooperation=cooperation).count(),
        Offer.objects.filter(cooperation=cooperation).count(),
        Transaction.objects.count(),
    )


def _body(world: World, cooperation: Cooperation, action: str) -> dict:
    if action == "submit":  # a draft of the cooperation's creator
        note = NoteFactory(author=cooperation.creator, status="draft", published_at=None)
        return {"note_id": note.pk}
    body = arguments_for(world, cooperation, action)
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in body.items()}


def _client(world: World, cooperation: Cooperation, actor: str, make_client, stranger):
    if actor == "creator":
        return make_client(cooperation.creator)
    if actor == "stranger":
        return make_client(stranger)
    return make_client(world.members[actor])


def _post(client, cooperation: Cooperation, route: str, body: dict, n: int):
    return client.post(
        f"/api/v1/cooperations/{cooperation.pk}/{route}",
        body,
        format="json",
        headers={"Idempotency-Key": f"table-{cooperation.pk}-{route}-{n}"},
    )


@pytest.mark.parametrize("state", STATES)
def test_every_state_action_actor_triple(state: str, make_client) -> None:
    world = make_world()
    stranger = UserFactory()
    shared = cooperation_in(world, state)
    for n, ((route, action), actor) in enumerate(itertools.product(ROUTES.items(), ACTORS)):
        status, code = expected(state, action, actor)
        target = shared if status != 200 else cooperation_in(world, state)
        if status == 200 and action == "fund":  # exactly what this escrow needs
            organisation_top_up(world.brand, world.members["finance"], target.escrow_amount)
        client = _client(world, target, actor, make_client, stranger)
        before = _snapshot(target)
        response = _post(client, target, route, _body(world, target, action), n)
        label = (state, action, actor, response.status_code, response.content[:200])
        assert response.status_code == status, label
        if status != 200:
            assert response.json()["error"]["code"] == code, label
            assert _snapshot(target) == before, label
            continue
        target.refresh_from_db()
        assert target.status != state or action == "counter", label
        assert response.json()["status"] == target.status


@pytest.mark.parametrize("action", ["complete", "expire", "resolve"])
def test_system_and_operator_moves_are_refused_to_every_party(action: str) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "published")
    for actor in ("creator", "owner", "manager", "finance", "viewer"):
        user = cooperation.creator if actor == "creator" else world.members[actor]
        with pytest.raises(DomainError) as refused:
            cooperation_act(
                user=user, cooperation_id=cooperation.pk, action=action, now=timezone.now()
            )
        assert refused.value.status == 403, (action, actor)
    cooperation.refresh_from_db()
    assert cooperation.status == "published"
