"""Likes, collects, boards and shares: idempotent, exact counters, visibility and block rules."""

from collections.abc import Callable

import pytest

from apps.accounts.models import Block, Profile
from apps.accounts.services import block_create
from apps.analytics.models import Event
from apps.moderation.targets import Visibility
from apps.notes import services
from apps.notes.models import Collect, Note, NoteLike, NoteStatus, NoteVisibility, Share
from apps.notes.ranking import note_rank
from tests.concurrency import client_for, run_concurrently
from tests.factories import UserFactory
from tests.notes.factories import BoardFactory, NoteFactory

pytestmark = pytest.mark.django_db


def _note(**fields) -> Note:
    return NoteFactory(**fields)


def _received(user) -> tuple[int, int, int]:
    profile = Profile.objects.get(user=user)
    return profile.notes_count, profile.likes_received_count, profile.collects_received_count


def _published(author) -> Note:
    """A note published through the service, so the author's counters include it."""
    draft = NoteFactory(author=author, status=NoteStatus.DRAFT, published_at=None)
    return services.note_publish(note_id=draft.pk, actor=author)


def test_like_is_idempotent_and_counts(api, user) -> None:
    author = UserFactory()
    note = _published(author)
    url = f"/api/v1/notes/{note.pk}/like"

    first = api.post(url, {"source": "feed"})
    assert first.status_code == 201
    assert first.json() == {"liked": True, "likes_count": 1}
    again = api.post(url)
    assert again.status_code == 200
    assert again.json() == {"liked": True, "likes_count": 1}
    assert NoteLike.objects.filter(note=note).count() == 1
    assert _received(author) == (1, 1, 0)

    note.refresh_from_db()
    expected_rank = note_rank(
        published_at=note.published_at, likes=1, collects=0, comments=0, shares=0
    )
    assert note.rank == expected_rank

    assert api.delete(url).json() == {"liked": False, "likes_count": 0}
    assert api.delete(url).json() == {"liked": False, "likes_count": 0}
    assert _received(author) == (1, 0, 0)
    note.refresh_from_db()
    assert note.likes_count == 0


def test_engagement_records_server_events_once_per_change(
    api, user, django_capture_on_commit_callbacks
) -> None:
    note = _note()
    url = f"/api/v1/notes/{note.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"{url}/like", {"source": "search"})
        api.post(f"{url}/like")
        api.delete(f"{url}/like")
        api.delete(f"{url}/like")
        api.post(f"{url}/collect", {"source": "feed"})
        api.post(f"{url}/collect")
        api.delete(f"{url}/collect")
        api.post(f"{url}/comments", {"body": "好看"})
    events = Event.objects.filter(note_id=note.pk).order_by("id")
    assert list(events.values_list("kind", "actor_id", "author_id")) == [
        ("like", user.pk, note.author_id),
        ("unlike", user.pk, note.author_id),
        ("collect", user.pk, note.author_id),
        ("uncollect", user.pk, note.author_id),
        ("comment", user.pk, note.author_id),
    ]
    assert events.first().source == "search"


def test_like_refused_on_notes_the_viewer_cannot_see(api, user) -> None:
    author = UserFactory()
    private = _note(author=author, visibility=NoteVisibility.PRIVATE)
    draft = _note(author=author, status=NoteStatus.DRAFT, published_at=None)
    deleted = _note(author=author, status=NoteStatus.DELETED)
    held = _note(author=author, moderation=Visibility.REVIEW)
    hidden = _note(author=author, moderation=Visibility.HIDDEN)
    for note in (private, draft, deleted, held, hidden):
        response = api.post(f"/api/v1/notes/{note.pk}/like")
        assert response.status_code == 404, note
        assert response.json()["error"]["code"] == "note.not_found"
    assert api.post("/api/v1/notes/987654321/like").status_code == 404
    assert not NoteLike.objects.exists()


@pytest.mark.parametrize("direction", ["i_blocked_them", "they_blocked_me"])
def test_like_refused_when_blocked_either_way(api, user, direction: str) -> None:
    author = UserFactory()
    note = _note(author=author)
    if direction == "i_blocked_them":
        Block.objects.create(blocker=user, blocked=author)
    else:
        Block.objects.create(blocker=author, blocked=user)
    assert api.post(f"/api/v1/notes/{note.pk}/like").status_code == 404
    assert api.post(f"/api/v1/notes/{note.pk}/collect").status_code == 404
    assert not NoteLike.objects.exists()


def test_author_may_like_own_private_note_but_not_a_draft(api, user) -> None:
    private = _note(author=user, visibility=NoteVisibility.PRIVATE)
    assert api.post(f"/api/v1/notes/{private.pk}/like").status_code == 201
    assert _received(user) == (0, 0, 0)  # a private note does not count on the profile
    draft = _note(author=user, status=NoteStatus.DRAFT, published_at=None)
    response = api.post(f"/api/v1/notes/{draft.pk}/like")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "note.not_published"


def test_collect_into_boards_moves_and_counts_once(api, user) -> None:
    author = UserFactory()
    note = _published(author)
    first_board = api.post("/api/v1/me/boards", {"name": "穿搭灵感"}).json()
    second_board = api.post("/api/v1/me/boards", {"name": "想去的店"}).json()
    url = f"/api/v1/notes/{note.pk}/collect"

    created = api.post(url, {"board_id": first_board["id"]})
    assert created.status_code == 201
    assert created.json() == {"collected": True, "collects_count": 1, "board_id": first_board["id"]}
    moved = api.post(url, {"board_id": second_board["id"]})
    assert moved.status_code == 200
    assert moved.json() == {"collected": True, "collects_count": 1, "board_id": second_board["id"]}
    kept = api.post(url)
    assert kept.json()["board_id"] == second_board["id"]
    assert _received(author) == (1, 0, 1)

    boards = {b["name"]: b["notes_count"] for b in api.get("/api/v1/me/boards").json()["results"]}
    assert boards == {"穿搭灵感": 0, "想去的店": 1}
    listed = api.get(f"/api/v1/me/collects?board={second_board['id']}").json()["results"]
    assert [row["note"]["id"] for row in listed] == [note.pk]

    assert api.delete(url).json() == {"collected": False, "collects_count": 0, "board_id": None}
    assert api.delete(url).status_code == 200
    assert _received(author) == (1, 0, 0)


def test_collect_into_someone_elses_board_is_404(api, user) -> None:
    note = _note()
    foreign = BoardFactory()
    response = api.post(f"/api/v1/notes/{note.pk}/collect", {"board_id": foreign.pk})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "board.not_found"
    assert not Collect.objects.exists()


def test_board_names_are_unique_per_owner_and_deleting_keeps_collects(api, user) -> None:
    board = api.post("/api/v1/me/boards", {"name": "好物"}).json()
    again = api.post("/api/v1/me/boards", {"name": "好物"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "board.name_taken"
    note = _note()
    api.post(f"/api/v1/notes/{note.pk}/collect", {"board_id": board["id"]})
    renamed = api.patch(f"/api/v1/me/boards/{board['id']}", {"name": "好物清单"})
    assert renamed.json()["name"] == "好物清单"
    assert renamed.json()["notes_count"] == 1
    assert api.delete(f"/api/v1/me/boards/{board['id']}").status_code == 204
    assert Collect.objects.get(user=user).board_id is None
    assert [row["note"]["id"] for row in api.get("/api/v1/me/collects").json()["results"]] == [
        note.pk
    ]


def test_share_counts_once_per_user_and_refuses_private_notes(api, user) -> None:
    note = _note()
    url = f"/api/v1/notes/{note.pk}/share"
    assert api.post(url, {"channel": "wechat"}).status_code == 201
    second = api.post(url, {"channel": "moments"})
    assert second.status_code == 200
    assert second.json() == {"shares_count": 1}
    assert Share.objects.get(note=note).channel == "moments"
    bad = api.post(url, {"channel": "fax"})
    assert bad.status_code == 400

    mine = _note(author=user, visibility=NoteVisibility.PRIVATE)
    refused = api.post(f"/api/v1/notes/{mine.pk}/share", {"channel": "link"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "note.private"


def test_collects_list_drops_notes_that_became_invisible(api, user) -> None:
    author = UserFactory()
    kept, hidden, made_private = (_published(author) for _ in range(3))
    for note in (kept, hidden, made_private):
        api.post(f"/api/v1/notes/{note.pk}/collect")
    services.note_moderation_set(note=hidden, visibility=Visibility.HIDDEN)
    services.note_update(
        note_id=made_private.pk, actor=made_private.author, visibility=NoteVisibility.PRIVATE
    )
    rows = api.get("/api/v1/me/collects").json()["results"]
    assert [row["note"]["id"] for row in rows] == [kept.pk]


def test_profile_counters_follow_visibility_moderation_and_deletion(make_client) -> None:
    author, fan = UserFactory(), UserFactory()
    note = _published(author)
    fan_client = make_client(fan)
    fan_client.post(f"/api/v1/notes/{note.pk}/like")
    fan_client.post(f"/api/v1/notes/{note.pk}/collect")
    assert _received(author) == (1, 1, 1)

    owner = make_client(author)
    owner.patch(f"/api/v1/notes/{note.pk}", {"visibility": "private"})
    assert _received(author) == (0, 0, 0)
    owner.patch(f"/api/v1/notes/{note.pk}", {"visibility": "public"})
    assert _received(author) == (1, 1, 1)

    services.note_moderation_set(note=note, visibility=Visibility.HIDDEN)
    assert _received(author) == (0, 0, 0)
    services.note_moderation_set(note=note, visibility=Visibility.HIDDEN)  # repeat: no change
    assert _received(author) == (0, 0, 0)
    services.note_moderation_set(note=note, visibility=Visibility.VISIBLE)
    assert _received(author) == (1, 1, 1)

    assert owner.delete(f"/api/v1/notes/{note.pk}").status_code == 204
    assert _received(author) == (0, 0, 0)
    assert owner.delete(f"/api/v1/notes/{note.pk}").status_code == 404
    assert owner.get(f"/api/v1/notes/{note.pk}").status_code == 404


# --- concurrency (PostgreSQL: real row locks, one connection per thread) --------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_from_many_users_count_every_like() -> None:
    author = UserFactory()
    note = _published(author)
    fans = [UserFactory() for _ in range(24)]
    url = f"/api/v1/notes/{note.pk}/like"
    results = run_concurrently([lambda f=f: client_for(f).post(url).status_code for f in fans])
    assert results == [201] * 24
    note.refresh_from_db()
    assert note.likes_count == 24 == NoteLike.objects.filter(note=note).count()
    assert _received(author) == (1, 24, 0)
    assert note.rank == note_rank(
        published_at=note.published_at, likes=24, collects=0, comments=0, shares=0
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_of_one_like_create_one_row() -> None:
    fan, note = UserFactory(), _published(UserFactory())
    url = f"/api/v1/notes/{note.pk}/like"
    results = run_concurrently([lambda: client_for(fan).post(url).status_code for _ in range(16)])
    assert sorted(results) == [200] * 15 + [201]
    note.refresh_from_db()
    assert note.likes_count == 1 == NoteLike.objects.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_unlikes_collects_and_moderation_keep_every_counter_exact() -> None:
    author = UserFactory()
    notes = [_published(author) for _ in range(3)]
    fans = [UserFactory() for _ in range(6)]
    actions: list[Callable[[], object]] = []
    for fan in fans:
        for note in notes:
            base = f"/api/v1/notes/{note.pk}"
            actions.append(lambda f=fan, b=base: client_for(f).post(f"{b}/like").status_code)
            actions.append(lambda f=fan, b=base: client_for(f).delete(f"{b}/like").status_code)
            actions.append(lambda f=fan, b=base: client_for(f).post(f"{b}/collect").status_code)
    hidden = notes[0]
    actions.append(lambda: services.note_moderation_set(note=hidden, visibility="hidden") and 200)
    actions.append(lambda: block_create(blocker=author, blocked_id=fans[0].pk) and 200)
    results = run_concurrently(actions)
    assert all(r in (200, 201, 404) for r in results), results

    likes_received = collects_received = 0
    for note in notes:
        note.refresh_from_db()
        assert note.likes_count == NoteLike.objects.filter(note=note).count()
        assert note.collects_count == Collect.objects.filter(note=note).count()
        if note.counts_publicly:
            likes_received += note.likes_count
            collects_received += note.collects_count
    assert _received(author) == (2, likes_received, collects_received)
