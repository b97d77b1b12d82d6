"""Every feed and list endpoint makes the same number of queries for 1 and for 50 items."""

from collections.abc import Callable

import pytest

from apps.accounts.models import Follow, Profile
from apps.notes.models import Board, Collect, Comment, NoteTopic, Topic
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory, category

pytestmark = pytest.mark.django_db

MAX_QUERIES = 6


def _viewer_with_interests():
    viewer = UserFactory()
    Profile.objects.get(user=viewer).interests.set([category("beauty"), category("food")])
    return viewer


def _discovery(viewer, n: int) -> str:
    for i in range(n):
        NoteFactory(category=category(("beauty", "tech")[i % 2]))
    return "/api/v1/feed/discover?page_size=50"


def _following(viewer, n: int) -> str:
    authors = [UserFactory() for _ in range(min(n, 5))]
    for author in authors:
        Follow.objects.create(follower=viewer, followee=author)
    for i in range(n):
        NoteFactory(author=authors[i % len(authors)])
    return "/api/v1/feed/following?page_size=50"


def _topic(viewer, n: int) -> str:
    topic = Topic.objects.create(name=f"话题{n}", key=f"话题{n}")
    for _ in range(n):
        NoteTopic.objects.create(note=NoteFactory(), topic=topic)
    return f"/api/v1/topics/{topic.pk}/notes?page_size=50"


def _user_notes(viewer, n: int) -> str:
    author = UserFactory()
    NoteFactory.create_batch(n, author=author)
    return f"/api/v1/users/{author.pk}/notes?page_size=50"


def _my_notes(viewer, n: int) -> str:
    NoteFactory.create_batch(n, author=viewer)
    return "/api/v1/me/notes?page_size=50"


def _comments(viewer, n: int) -> str:
    note = NoteFactory()
    for i in range(n):
        author = UserFactory()
        replied = UserFactory()
        parent = Comment.objects.create(note=note, author=author, body=f"c{i}")
        Comment.objects.create(
            note=note,
            author=replied,
            body="r",
            parent=parent,
            reply_to=parent,
            reply_to_user=author,
        )
    return f"/api/v1/notes/{note.pk}/comments?page_size=50"


def _replies(viewer, n: int) -> str:
    note = NoteFactory()
    top = Comment.objects.create(note=note, author=UserFactory(), body="top")
    for _ in range(n):
        Comment.objects.create(
            note=note,
            author=UserFactory(),
            body="r",
            parent=top,
            reply_to=top,
            reply_to_user=top.author,
        )
    return f"/api/v1/comments/{top.pk}/replies?page_size=50"


def _boards(viewer, n: int) -> str:
    for i in range(n):
        board = Board.objects.create(owner=viewer, name=f"b{i}")
        Collect.objects.create(user=viewer, note=NoteFactory(), board=board)
    return "/api/v1/me/boards?page_size=50"


def _collects(viewer, n: int) -> str:
    for _ in range(n):
        Collect.objects.create(user=viewer, note=NoteFactory())
    return "/api/v1/me/collects?page_size=50"


def _search_notes(viewer, n: int) -> str:
    NoteFactory.create_batch(n, search_text="周末露营")
    return "/api/v1/search/notes?q=露营&page_size=50"


def _search_users(viewer, n: int) -> str:
    for i in range(n):
        Profile.objects.filter(user=UserFactory()).update(display_name=f"露营达人{i}")
    return "/api/v1/search/users?q=露营&page_size=50"


LISTS: list[tuple[str, Callable]] = [
    ("discovery", _discovery),
    ("following", _following),
    ("topic", _topic),
    ("user_notes", _user_notes),
    ("my_notes", _my_notes),
    ("comments", _comments),
    ("replies", _replies),
    ("boards", _boards),
    ("collects", _collects),
    ("search_notes", _search_notes),
    ("search_users", _search_users),
]


# Lists that show everyone's notes: the 50-item case adds 49 to the 1 already there.
GLOBAL = {"discovery", "search_notes", "search_users"}


@pytest.mark.parametrize(("name", "fill"), LISTS, ids=[name for name, _ in LISTS])
def test_list_query_count_is_the_same_for_1_and_50_items(
    make_client, count_queries, django_assert_max_num_queries, name, fill
) -> None:
    def fetch(add: int, expected: int) -> Callable[[], None]:
        viewer = _viewer_with_interests()
        url = fill(viewer, add)
        client = make_client(viewer)

        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.content
            assert len(response.json()["results"]) == expected

        return run

    one = count_queries(fetch(1, 1))
    big = fetch(49 if name in GLOBAL else 50, 50)
    fifty = count_queries(big)
    assert one == fifty, (one, fifty)
    with django_assert_max_num_queries(MAX_QUERIES):
        big()


def test_note_detail_has_a_fixed_query_count(make_client, count_queries) -> None:
    from tests.notes.factories import image_upload

    author = UserFactory()
    client = make_client(author)

    def create(images: int, body: str) -> int:
        response = client.post(
            "/api/v1/notes",
            {
                "title": "t",
                "body": body,
                "category": "food",
                "images": [image_upload(f"{i}.jpg") for i in range(images)],
            },
            format="multipart",
        )
        return response.json()["id"]

    names = [UserFactory().username for _ in range(5)]
    small = create(1, f"#a @{names[0]}")
    big = create(18, " ".join(f"#t{i}" for i in range(10)) + " " + " ".join(f"@{n}" for n in names))
    viewer = make_client(UserFactory())
    one = count_queries(lambda: viewer.get(f"/api/v1/notes/{small}"))
    many = count_queries(lambda: viewer.get(f"/api/v1/notes/{big}"))
    assert one == many
    assert len(viewer.get(f"/api/v1/notes/{big}").json()["media"]) == 18
