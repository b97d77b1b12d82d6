"""Cursor pagination and constant query counts on every accounts list endpoint."""

from collections.abc import Callable

import pytest

from apps.accounts.models import Block, Follow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _walk(client, url: str) -> list[int]:
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        seen.extend(row["user"]["id"] for row in body["results"])
        url = body["next"]
    return seen


def test_fans_cursor_pagination_returns_every_fan_once_newest_first(api, user) -> None:
    fans = [UserFactory() for _ in range(23)]
    for fan in fans:
        Follow.objects.create(follower=fan, followee=user)
    seen = _walk(api, f"/api/v1/users/{user.pk}/fans?page_size=5")
    assert seen == [fan.pk for fan in reversed(fans)]


def test_page_size_is_capped(api, user) -> None:
    for _ in range(3):
        Follow.objects.create(follower=UserFactory(), followee=user)
    body = api.get(f"/api/v1/users/{user.pk}/fans?page_size=100000").json()
    assert len(body["results"]) == 3


@pytest.mark.parametrize(
    "cursor",
    [
        "cD1mb28=",  # p=foo: a position that is not a date
        "bz0tMw==",  # o=-3: a negative offset
        "cD05OTk5OTk5OTk5OTk5OTk5OS0wMS0wMQ==",  # p=a year out of range
    ],
)
def test_forged_cursor_is_404_not_500(api, user, cursor: str) -> None:
    Follow.objects.create(follower=UserFactory(), followee=user)
    response = api.get(f"/api/v1/users/{user.pk}/fans?cursor={cursor}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def _fans(owner, n: int) -> None:
    for _ in range(n):
        Follow.objects.create(follower=UserFactory(), followee=owner)


def _following(owner, n: int) -> None:
    for _ in range(n):
        Follow.objects.create(follower=owner, followee=UserFactory())


def _blocks(owner, n: int) -> None:
    for _ in range(n):
        Block.objects.create(blocker=owner, blocked=UserFactory())


LIST_ENDPOINTS: list[tuple[str, Callable]] = [
    ("/api/v1/users/{id}/fans?page_size=50", _fans),
    ("/api/v1/users/{id}/following?page_size=50", _following),
    ("/api/v1/me/blocks?page_size=50", _blocks),
]


@pytest.mark.parametrize(("template", "fill"), LIST_ENDPOINTS)
def test_list_query_count_is_the_same_for_1_and_50_items(
    make_client,
    count_queries,
    django_assert_max_num_queries,
    template,
    fill,
) -> None:
    small_owner, big_owner = UserFactory(), UserFactory()
    fill(small_owner, 1)
    fill(big_owner, 50)

    def fetch(owner) -> Callable[[], None]:
        def run() -> None:
            response = make_client(owner).get(template.format(id=owner.pk))
            assert response.status_code == 200
            expected = 1 if owner is small_owner else 50
            assert len(response.json()["results"]) == expected

        return run

    one = count_queries(fetch(small_owner))
    fifty = count_queries(fetch(big_owner))
    assert one == fifty
    with django_assert_max_num_queries(4):
        fetch(big_owner)()


def test_profile_and_me_have_fixed_query_counts(make_client, django_assert_max_num_queries) -> None:
    viewer, target = UserFactory(), UserFactory()
    client = make_client(viewer)
    with django_assert_max_num_queries(2):
        assert client.get(f"/api/v1/users/{target.pk}").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/me").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/api/v1/categories").status_code == 200
