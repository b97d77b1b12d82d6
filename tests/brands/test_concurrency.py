"""Races on PostgreSQL with real threads: one winner, money moved once."""

import pytest

from apps.brands import campaigns
from apps.brands.cooperation_models import Cooperation, CooperationEvent
from apps.brands.cooperations import cooperation_act, cooperation_deadline_move
from apps.ledger.models import Transaction
from tests.brands.factories import ESCROW, PATHS, PRICE, drive, escrow_of, make_world
from tests.concurrency import client_for, run_concurrently
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 20


def _cart(world, count: int) -> list[Cooperation]:
    creators = [UserFactory() for _ in range(count)]
    return campaigns.campaign_invite(
        user=world.members["manager"],
        organisation_id=world.brand.pk,
        campaign_id=world.campaign.pk,
        invitations=[{"creator_id": c.pk, "price": PRICE} for c in creators],
    )


def _code(result: object) -> object:
    if isinstance(result, Exception):
        return getattr(result, "code", repr(result))
    return getattr(result, "status_code", "ok")


def test_two_accepts_of_the_same_offer_have_one_winner_and_fund_once() -> None:
    world = make_world(funds=5_000_000)
    for cooperation in _cart(world, ROUNDS):
        creator = cooperation.creator
        url = f"/api/v1/cooperations/{cooperation.pk}/accept"

        def accept(key: str, creator=creator, url=url) -> object:
            return client_for(creator).post(
                url, {}, format="json", headers={"Idempotency-Key": key}
            )

        results = run_concurrently([lambda: accept("a"), lambda: accept("b")])
        assert sorted(_code(r) for r in results) == [200, 409], [r.content for r in results]
        loser = next(r for r in results if r.status_code == 409)
        assert loser.json()["error"]["code"] == "cooperation.illegal_transition"
        cooperation.refresh_from_db()
        assert cooperation.status == "funded"
        assert escrow_of(cooperation) == ESCROW
        assert Transaction.objects.filter(key__contains=f":{cooperation.pk}:fund").count() == 1
        assert cooperation.events.filter(action="accept").count() == 1


def test_brand_approval_racing_auto_approval_has_one_winner_and_pays_once() -> None:
    world = make_world(funds=5_000_000)
    for cooperation in _cart(world, ROUNDS):
        cooperation = drive(world, cooperation, PATHS["submitted"])
        due = cooperation.deadline_at
        manager = world.members["manager"]

        def by_brand(pk=cooperation.pk, manager=manager) -> object:
            return cooperation_act(user=manager, cooperation_id=pk, action="approve")

        def by_task(pk=cooperation.pk, due=due) -> object:
            return cooperation_deadline_move(cooperation_id=pk, action="approve", now=due)

        brand, task = run_concurrently([by_brand, by_task])
        brand_won = isinstance(brand, Cooperation)
        if not brand_won:  # the task approved first: the brand's approval is an illegal move
            assert getattr(brand, "code", None) == "cooperation.illegal_transition", brand
        assert task in (True, False), task
        assert brand_won != task, (brand, task)  # exactly one of them approved
        assert (
            CooperationEvent.objects.filter(cooperation=cooperation, action="approve").count() == 1
        )
        cooperation.refresh_from_db()
        assert cooperation.status == "approved"
        # publication, then two completion runs at once: the escrow is released once
        cooperation = drive(world, cooperation, [("creator", "publish")])
        ends = run_concurrently(
            [
                lambda pk=cooperation.pk, at=cooperation.deadline_at: cooperation_deadline_move(
                    cooperation_id=pk, action="complete", now=at
                )
            ]
            * 2
        )
        assert sorted(ends) == [False, True]
        assert escrow_of(cooperation) == 0
        assert Transaction.objects.filter(key__contains=f":{cooperation.pk}:release").count() == 1
