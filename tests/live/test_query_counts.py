"""Live list endpoints make the same number of queries for 1 item as for 30."""

import pytest

from apps.live import services
from apps.live.models import ChatMessage, Sanction, SanctionKind
from tests.factories import UserFactory
from tests.live.conftest import make_room

pytestmark = pytest.mark.django_db


def _rooms(n: int) -> None:
    for _ in range(n):
        make_room(UserFactory(), live=False)


def _messages(room, n: int) -> None:
    ChatMessage.objects.bulk_create(
        [ChatMessage(room=room, author=UserFactory(), text=f"m{i}") for i in range(n)]
    )


def _sanctions(room, n: int) -> None:
    Sanction.objects.bulk_create(
        [Sanction(room=room, user=UserFactory(), kind=SanctionKind.BAN) for _ in range(n)]
    )


def _moderators(host, n: int) -> None:
    for _ in range(n):
        services.moderator_add(host=host, user_id=UserFactory().pk, room=None)


@pytest.mark.parametrize("kind", ["rooms", "messages", "sanctions", "moderators", "mine"])
def test_list_queries_do_not_grow_with_the_page(kind, host, make_client, count_queries) -> None:
    client = make_client(host)
    counts = []
    for size in (1, 30):
        room = make_room(host, live=False) if kind != "messages" else None
        if kind == "rooms":
            _rooms(size)
            url = "/api/v1/live/rooms?page_size=50"
        elif kind == "mine":
            for _ in range(size):
                make_room(host, live=False)
            url = "/api/v1/live/rooms/mine?page_size=50"
        elif kind == "messages":
            room = make_room(UserFactory())
            _messages(room, size)
            url = f"/api/v1/live/rooms/{room.pk}/messages"
        elif kind == "sanctions":
            _sanctions(room, size)
            url = f"/api/v1/live/rooms/{room.pk}/sanctions?page_size=50"
        else:
            _moderators(host, size)
            url = "/api/v1/live/moderators?page_size=50"
        counts.append(count_queries(lambda url=url: client.get(url)))
    assert counts[0] == counts[1], counts
