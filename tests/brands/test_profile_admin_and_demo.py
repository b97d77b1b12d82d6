"""Operators' screen of cooperation profiles, and the demo profiles."""

import io
import random

import pytest
from django.core.management.base import OutputWrapper

from apps.brands import demo
from apps.brands.profile_models import CooperationProfile, CreatorDiscoveryRow
from apps.core.seeding import DemoContext
from tests.brands.discovery_factories import listed_creator, make_creator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/brands/cooperationprofile/"


@pytest.fixture
def operator_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_operators_see_profiles_and_why_they_are_listed(operator_client) -> None:
    listed = listed_creator(pitch="护肤测评")
    unlisted = listed_creator(fans=10)
    response = operator_client.get(CHANGELIST, {"discovery_row__eligible__exact": "1"})
    assert response.status_code == 200
    assert listed.username.encode() in response.content
    assert unlisted.username.encode() not in response.content
    detail = operator_client.get(f"{CHANGELIST}{listed.pk}/change/")
    assert detail.status_code == 200 and "护肤测评" in detail.content.decode()
    assert operator_client.get(f"{CHANGELIST}add/").status_code == 403


def test_the_refresh_action_recomputes_rows(operator_client) -> None:
    creator = listed_creator()
    CreatorDiscoveryRow.objects.filter(pk=creator.pk).update(fans=1, eligible=False)
    response = operator_client.post(
        CHANGELIST, {"action": "refresh_discovery_rows", "_selected_action": [creator.pk]}
    )
    assert response.status_code == 302
    row = CreatorDiscoveryRow.objects.get(pk=creator.pk)
    assert (row.fans, row.eligible) == (5_000, True)


def _context(creator_ids: list[int]) -> DemoContext:
    return DemoContext(
        rng=random.Random(1),
        options={},
        user_ids=creator_ids,
        creator_ids=creator_ids,
        demo_user_id=creator_ids[0],
        progress=False,
        stdout=OutputWrapper(io.StringIO()),
    )


def _profiles() -> list:
    return list(CooperationProfile.objects.order_by("pk").values())


def test_demo_profiles_are_idempotent_and_computed_like_any_other() -> None:
    creators = [make_creator().pk for _ in range(3)] + [make_creator(fans=10).pk]
    demo.seed(_context(creators))
    first = _profiles()
    assert len(first) == 4
    assert {p["availability"] for p in first} <= {"available", "busy", "not_taking_work"}
    demo.seed(_context(creators))
    assert _profiles() == first
    eligible = dict(CreatorDiscoveryRow.objects.values_list("creator_id", "eligible"))
    assert eligible == {pk: pk != creators[-1] for pk in creators}
