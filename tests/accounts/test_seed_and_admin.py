"""seed_demo is idempotent with correct counters; operators find users in the admin."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from apps.accounts.models import Follow, Profile, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple:
    return (
        User.objects.count(),
        Follow.objects.count(),
        sorted(Profile.objects.values_list("user_id", "fans_count", "following_count")),
    )


def test_seed_demo_is_idempotent_and_counters_match_edges() -> None:
    call_command("seed_demo", users=120, quiet=True)
    first = _snapshot()
    assert first[0] == 122  # 120 demo users plus admin and demo
    assert first[1] > 500
    call_command("seed_demo", users=120, quiet=True)
    assert _snapshot() == first

    fans = dict(
        Follow.objects.values("followee").annotate(n=Count("id")).values_list("followee", "n")
    )
    following = dict(
        Follow.objects.values("follower").annotate(n=Count("id")).values_list("follower", "n")
    )
    for user_id, fans_count, following_count in first[2]:
        assert fans_count == fans.get(user_id, 0)
        assert following_count == following.get(user_id, 0)
    # Sources and regions vary, as real data does.
    assert Follow.objects.values("source").distinct().count() >= 4
    assert Profile.objects.values("region").distinct().count() >= 10
    assert User.objects.get(username="admin").is_superuser


@pytest.fixture
def operator_client(client):
    operator = User.objects.create_superuser("operator", "op@example.com", "op-pass-2026!")
    client.force_login(operator)
    return client


@pytest.mark.parametrize(
    ("query", "field"), [("lin_hai", "username"), ("13612345678", "phone"), ("林海听涛", "name")]
)
def test_admin_finds_user_by_username_phone_or_display_name(operator_client, query, field) -> None:
    target = UserFactory(username="lin_hai", phone="13612345678")
    Profile.objects.filter(user=target).update(display_name="林海听涛")
    UserFactory(username="someone_else")
    response = operator_client.get("/admin/accounts/user/", {"q": query})
    assert response.status_code == 200
    content = response.content.decode()
    assert "lin_hai" in content
    assert "someone_else" not in content


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/profile/",
        "/admin/accounts/category/",
        "/admin/accounts/follow/",
        "/admin/accounts/block/",
    ],
)
def test_admin_changelists_render(operator_client, url: str) -> None:
    UserFactory()
    assert operator_client.get(url).status_code == 200
