"""Operators resolve disputes in the admin (checked and audited); the screens answer; seed_demo
puts a cooperation in every state, once."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from apps.accounts.models import User
from apps.brands.cooperation_models import Cooperation, CooperationStatus
from tests.brands.factories import ESCROW, cooperation_in, escrow_of, make_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _operator() -> User:
    operator = UserFactory(is_staff=True)
    for codename in ("view_cooperation", "change_cooperation", "view_campaign"):
        operator.user_permissions.add(
            Permission.objects.get(content_type__app_label="brands", codename=codename)
        )
    return User.objects.get(pk=operator.pk)


def test_dispute_resolution_action_splits_the_escrow_and_is_audited(client) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "disputed")
    client.force_login(_operator())
    url = "/admin/brands/cooperation/"
    base = {"action": "resolve_dispute", "_selected_action": [cooperation.pk]}
    client.post(url, {**base, "creator_share": "abc", "note": "x"})
    cooperation.refresh_from_db()
    assert cooperation.status == "disputed" and escrow_of(cooperation) == ESCROW
    client.post(url, {**base, "creator_share": "60000", "note": ""})  # a note is required
    cooperation.refresh_from_db()
    assert cooperation.status == "disputed"
    response = client.post(url, {**base, "creator_share": "60000", "note": "草稿部分达标"})
    assert response.status_code == 302
    cooperation.refresh_from_db()
    assert cooperation.status == "resolved" and escrow_of(cooperation) == 0
    event = cooperation.events.get(action="resolve")
    assert event.details == {"creator": 60_000, "platform": 6_000, "brand": 44_000}
    assert event.comment == "草稿部分达标"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/brands/cooperation/?status__exact=disputed&deadline=overdue",
        "/admin/brands/cooperation/?deadline=week",
        "/admin/brands/campaign/?held=yes",
        "/admin/",
    ],
)
def test_admin_screens_answer(client, url) -> None:
    world = make_world()
    cooperation = cooperation_in(world, "submitted")
    client.force_login(_operator())
    assert client.get(url).status_code == 200
    assert client.get(f"/admin/brands/cooperation/{cooperation.pk}/change/").status_code == 200


def test_seed_demo_puts_a_cooperation_in_every_state_once(settings) -> None:
    # Not about the eligibility gate: the small demo's creators may apply.
    settings.BRANDS_MIN_FANS = settings.BRANDS_MIN_RECENT_NOTES = 0
    call_command("seed_demo", users=30, quiet=True)
    call_command("seed_demo", users=30, quiet=True)
    states = sorted(Cooperation.objects.values_list("status", flat=True))
    assert states == sorted(CooperationStatus.values)
