"""Follow and block rules, counters, and their behaviour under concurrent requests."""

import pytest

from apps.accounts.models import Block, Follow, Profile
from tests.concurrency import client_for, run_concurrently
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _counts(user) -> tuple[int, int]:
    profile = Profile.objects.get(user=user)
    return profile.fans_count, profile.following_count


def test_follow_is_idempotent_and_counts(api, user, other_user) -> None:
    url = f"/api/v1/users/{other_user.pk}/follow"
    first = api.post(url, {"source": "note", "source_id": 42})
    assert first.status_code == 201
    assert first.json() == {"following": True, "fans": 1}
    again = api.post(url, {"source": "search"})
    assert again.status_code == 200
    assert again.json() == {"following": True, "fans": 1}

    follow = Follow.objects.get(follower=user, followee=other_user)
    assert (follow.source, follow.source_id) == ("note", 42)  # the first source is kept
    assert _counts(other_user) == (1, 0)
    assert _counts(user) == (0, 1)

    profile = api.get(f"/api/v1/users/{other_user.pk}").json()
    assert profile["is_following"] is True
    assert profile["counts"]["fans"] == 1


def test_unfollow_is_idempotent(api, user, other_user) -> None:
    url = f"/api/v1/users/{other_user.pk}/follow"
    api.post(url)
    assert api.delete(url).json() == {"following": False, "fans": 0}
    assert api.delete(url).json() == {"following": False, "fans": 0}
    assert _counts(other_user) == (0, 0)
    assert _counts(user) == (0, 0)


def test_cannot_follow_self(api, user) -> None:
    response = api.post(f"/api/v1/users/{user.pk}/follow")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "follow.self"
    assert not Follow.objects.exists()


def test_follow_unknown_user_is_404(api) -> None:
    response = api.post("/api/v1/users/987654321/follow")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_follow_rejects_unknown_source(api, other_user) -> None:
    response = api.post(f"/api/v1/users/{other_user.pk}/follow", {"source": "telepathy"})
    assert response.status_code == 400
    assert "source" in response.json()["error"]["fields"]
    assert not Follow.objects.exists()


@pytest.mark.parametrize("direction", ["i_blocked_them", "they_blocked_me"])
def test_cannot_follow_when_blocked(api, user, other_user, direction: str) -> None:
    if direction == "i_blocked_them":
        Block.objects.create(blocker=user, blocked=other_user)
    else:
        Block.objects.create(blocker=other_user, blocked=user)
    response = api.post(f"/api/v1/users/{other_user.pk}/follow")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "follow.blocked"
    assert _counts(other_user) == (0, 0)


def test_block_removes_follows_both_ways_and_fixes_counts(make_client, user, other_user) -> None:
    mine, theirs = make_client(user), make_client(other_user)
    mine.post(f"/api/v1/users/{other_user.pk}/follow")
    theirs.post(f"/api/v1/users/{user.pk}/follow")
    assert _counts(user) == (1, 1)

    response = mine.post(f"/api/v1/users/{other_user.pk}/block")
    assert response.status_code == 201
    assert mine.post(f"/api/v1/users/{other_user.pk}/block").status_code == 200  # idempotent
    assert not Follow.objects.exists()
    assert _counts(user) == (0, 0)
    assert _counts(other_user) == (0, 0)
    assert theirs.post(f"/api/v1/users/{user.pk}/follow").status_code == 409

    assert mine.get(f"/api/v1/users/{other_user.pk}").json()["is_blocked"] is True
    blocks = mine.get("/api/v1/me/blocks").json()["results"]
    assert [row["user"]["id"] for row in blocks] == [other_user.pk]

    assert mine.delete(f"/api/v1/users/{other_user.pk}/block").json() == {"blocked": False}
    assert mine.delete(f"/api/v1/users/{other_user.pk}/block").status_code == 200
    assert theirs.post(f"/api/v1/users/{user.pk}/follow").status_code == 201


def test_cannot_block_self(api, user) -> None:
    response = api.post(f"/api/v1/users/{user.pk}/block")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "block.self"


def test_hidden_fans_list_is_403_for_others_but_visible_to_owner(
    make_client, user, other_user
) -> None:
    Profile.objects.filter(user=other_user).update(hide_fans_list=True, hide_following_list=True)
    response = make_client(user).get(f"/api/v1/users/{other_user.pk}/fans")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "profile.fans_hidden"
    assert make_client(user).get(f"/api/v1/users/{other_user.pk}/following").status_code == 403
    assert make_client(other_user).get(f"/api/v1/users/{other_user.pk}/fans").status_code == 200


# --- Concurrency (PostgreSQL: real row locks, one connection per thread) ------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_follows_of_one_creator_count_every_fan() -> None:
    creator = UserFactory()
    fans = [UserFactory() for _ in range(24)]
    url = f"/api/v1/users/{creator.pk}/follow"
    results = run_concurrently([lambda f=f: client_for(f).post(url).status_code for f in fans])
    assert results == [201] * 24
    assert _counts(creator) == (24, 0)
    assert Follow.objects.filter(followee=creator).count() == 24
    assert all(_counts(f) == (0, 1) for f in fans)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_of_one_follow_create_one_edge() -> None:
    fan, creator = UserFactory(), UserFactory()
    url = f"/api/v1/users/{creator.pk}/follow"
    results = run_concurrently([lambda: client_for(fan).post(url).status_code for _ in range(16)])
    assert sorted(results) == [200] * 15 + [201]
    assert Follow.objects.count() == 1
    assert _counts(creator) == (1, 0)
    assert _counts(fan) == (0, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_follow_and_unfollow_leave_counts_equal_to_edges() -> None:
    users = [UserFactory() for _ in range(6)]
    actions = []
    for a in users:
        for b in users:
            if a != b:
                url = f"/api/v1/users/{b.pk}/follow"
                actions.append(lambda a=a, url=url: client_for(a).post(url).status_code)
                actions.append(lambda a=a, url=url: client_for(a).delete(url).status_code)
    results = run_concurrently(actions)
    assert all(status in (200, 201) for status in results), results
    for user in users:
        fans, following = _counts(user)
        assert fans == Follow.objects.filter(followee=user).count()
        assert following == Follow.objects.filter(follower=user).count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_mutual_follows_and_blocks_do_not_deadlock() -> None:
    a, b = UserFactory(), UserFactory()
    actions = [
        lambda: client_for(a).post(f"/api/v1/users/{b.pk}/follow").status_code,
        lambda: client_for(b).post(f"/api/v1/users/{a.pk}/follow").status_code,
        lambda: client_for(a).post(f"/api/v1/users/{b.pk}/block").status_code,
    ] * 4
    results = run_concurrently(actions)
    assert all(status in (200, 201, 409) for status in results), results
    assert Block.objects.filter(blocker=a, blocked=b).exists()
    assert not Follow.objects.exists()
    assert _counts(a) == (0, 0)
    assert _counts(b) == (0, 0)


def test_block_records_the_lost_fans_with_their_follow_source(
    make_client, user, other_user, django_capture_on_commit_callbacks
) -> None:
    from apps.analytics.models import Event

    with django_capture_on_commit_callbacks(execute=True):
        make_client(other_user).post(
            f"/api/v1/users/{user.pk}/follow", {"source": "note", "source_id": 7}
        )
    with django_capture_on_commit_callbacks(execute=True):
        make_client(user).post(f"/api/v1/users/{other_user.pk}/block")
    unfollow = Event.objects.get(kind="unfollow")
    assert (unfollow.actor_id, unfollow.target_user_id) == (other_user.pk, user.pk)
    assert (unfollow.source, unfollow.source_id) == ("note", 7)
