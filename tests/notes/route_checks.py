"""Object-permission checks for the notes routes (collected by tests/core)."""

from collections.abc import Callable
from dataclasses import dataclass

from apps.accounts.models import Follow
from apps.moderation.targets import Visibility
from apps.notes.models import (
    Board,
    Collect,
    Comment,
    CommentStatus,
    Note,
    NoteLike,
    NoteMedia,
    NoteStatus,
    NoteTopic,
    NoteVisibility,
    Share,
    Topic,
)
from tests.notes.factories import NoteFactory, image_upload


@dataclass
class VictimObjects:
    private: Note
    draft: Note
    public: Note
    board: Board
    held_comment: Comment
    comment: Comment
    topic: Topic


def _victim_objects(victim) -> VictimObjects:
    """A private note, a draft, a board with a collect, a held comment and a topic."""
    topic, _ = Topic.objects.get_or_create(key="私密话题", defaults={"name": "私密话题"})
    private = NoteFactory(
        author=victim,
        visibility=NoteVisibility.PRIVATE,
        title="私密日记",
        search_text="私密日记 #私密话题",
    )
    NoteTopic.objects.create(note=private, topic=topic)
    draft = NoteFactory(author=victim, status=NoteStatus.DRAFT, published_at=None, title="草稿")
    NoteMedia.objects.create(
        note=draft,
        kind="image",
        position=0,
        file="notes/victim.jpg",
        thumbnail="notes/victim_thumb.jpg",
        format="JPEG",
        width=10,
        height=10,
        size_bytes=100,
    )
    public = NoteFactory(author=victim)
    board = Board.objects.create(owner=victim, name="我的私藏")
    Collect.objects.create(user=victim, note=public, board=board)
    held = Comment.objects.create(
        note=public, author=victim, body="held", moderation=Visibility.REVIEW
    )
    comment = Comment.objects.create(note=NoteFactory(), author=victim, body="mine")
    return VictimObjects(private, draft, public, board, held, comment, topic)


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _note_create(client, victim) -> None:
    client.post(
        "/api/v1/notes",
        {"title": "t", "category": "food", "images": [image_upload()], "author": victim.pk},
        format="multipart",
    )
    assert not Note.objects.filter(author=victim).exists()


def _note_detail(client, victim) -> None:
    objects = _victim_objects(victim)
    for note in (objects.private, objects.draft):
        url = f"/api/v1/notes/{note.pk}"
        assert client.get(url).status_code == 404
        assert client.patch(url, {"title": "pwned"}).status_code == 404
        assert client.delete(url).status_code == 404
    assert client.patch(f"/api/v1/notes/{objects.public.pk}", {"title": "pwned"}).status_code == 403
    assert client.delete(f"/api/v1/notes/{objects.public.pk}").status_code == 403
    assert not Note.objects.filter(title="pwned").exists()
    assert not Note.objects.filter(author=victim, status=NoteStatus.DELETED).exists()


def _note_publish(client, victim) -> None:
    objects = _victim_objects(victim)
    assert client.post(f"/api/v1/notes/{objects.draft.pk}/publish").status_code == 404
    objects.draft.refresh_from_db()
    assert objects.draft.status == NoteStatus.DRAFT


def _note_media(client, victim) -> None:
    objects = _victim_objects(victim)
    response = client.put(
        f"/api/v1/notes/{objects.draft.pk}/media", {"images": [image_upload()]}, format="multipart"
    )
    assert response.status_code == 404
    assert list(NoteMedia.objects.filter(note=objects.draft).values_list("file", flat=True)) == [
        "notes/victim.jpg"
    ]


def _note_like(client, victim) -> None:
    objects = _victim_objects(victim)
    assert client.post(f"/api/v1/notes/{objects.private.pk}/like").status_code == 404
    assert not NoteLike.objects.exists()


def _note_collect(client, victim) -> None:
    objects = _victim_objects(victim)
    assert client.post(f"/api/v1/notes/{objects.private.pk}/collect").status_code == 404
    into_victims_board = client.post(
        f"/api/v1/notes/{objects.public.pk}/collect", {"board_id": objects.board.pk}
    )
    assert into_victims_board.status_code == 404
    assert list(Collect.objects.values_list("user_id", flat=True)) == [victim.pk]


def _note_share(client, victim) -> None:
    objects = _victim_objects(victim)
    url = f"/api/v1/notes/{objects.private.pk}/share"
    assert client.post(url, {"channel": "link"}).status_code == 404
    assert not Share.objects.exists()


def _note_comments(client, victim) -> None:
    objects = _victim_objects(victim)
    url = f"/api/v1/notes/{objects.private.pk}/comments"
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "hi"}).status_code == 404
    shown = _results(client.get(f"/api/v1/notes/{objects.public.pk}/comments"))
    assert objects.held_comment.pk not in {c["id"] for c in shown}


def _comment_detail(client, victim) -> None:
    objects = _victim_objects(victim)
    assert client.get(f"/api/v1/comments/{objects.held_comment.pk}").status_code == 404
    assert client.delete(f"/api/v1/comments/{objects.held_comment.pk}").status_code == 404
    assert client.delete(f"/api/v1/comments/{objects.comment.pk}").status_code == 403
    assert not Comment.objects.filter(status=CommentStatus.DELETED).exists()


def _comment_replies(client, victim) -> None:
    objects = _victim_objects(victim)
    assert client.get(f"/api/v1/comments/{objects.held_comment.pk}/replies").status_code == 404


def _comment_like(client, victim) -> None:
    objects = _victim_objects(victim)
    assert client.post(f"/api/v1/comments/{objects.held_comment.pk}/like").status_code == 404
    objects.held_comment.refresh_from_db()
    assert objects.held_comment.likes_count == 0


def _feed_discover(client, victim) -> None:
    objects = _victim_objects(victim)
    shown = {n["id"] for n in _results(client.get("/api/v1/feed/discover?page_size=50"))}
    assert shown == {objects.public.pk, objects.comment.note_id}


def _feed_following(client, victim) -> None:
    objects = _victim_objects(victim)
    Follow.objects.create(follower=client.attacker, followee=victim)
    shown = {n["id"] for n in _results(client.get("/api/v1/feed/following"))}
    assert shown == {objects.public.pk}


def _topic_detail(client, victim) -> None:
    objects = _victim_objects(victim)
    assert client.get(f"/api/v1/topics/{objects.topic.pk}").json()["notes_count"] == 0


def _topic_notes(client, victim) -> None:
    objects = _victim_objects(victim)
    assert _results(client.get(f"/api/v1/topics/{objects.topic.pk}/notes")) == []


def _user_notes(client, victim) -> None:
    objects = _victim_objects(victim)
    shown = {n["id"] for n in _results(client.get(f"/api/v1/users/{victim.pk}/notes"))}
    assert shown == {objects.public.pk}


def _me_notes(client, victim) -> None:
    _victim_objects(victim)
    assert _results(client.get("/api/v1/me/notes")) == []
    assert _results(client.get("/api/v1/me/notes?status=draft")) == []


def _me_boards(client, victim) -> None:
    _victim_objects(victim)
    assert _results(client.get("/api/v1/me/boards")) == []


def _me_board_detail(client, victim) -> None:
    objects = _victim_objects(victim)
    url = f"/api/v1/me/boards/{objects.board.pk}"
    assert client.patch(url, {"name": "pwned"}).status_code == 404
    assert client.delete(url).status_code == 404
    objects.board.refresh_from_db()
    assert objects.board.name == "我的私藏"


def _me_collects(client, victim) -> None:
    objects = _victim_objects(victim)
    assert _results(client.get("/api/v1/me/collects")) == []
    assert _results(client.get(f"/api/v1/me/collects?board={objects.board.pk}")) == []


def _search_notes(client, victim) -> None:
    _victim_objects(victim)
    assert _results(client.get("/api/v1/search/notes?q=私密")) == []


def _search_users(client, victim) -> None:
    victim.phone = "13700000002"
    victim.save(update_fields=["phone"])
    rows = _results(client.get(f"/api/v1/search/users?q={victim.profile.display_name}"))
    assert [row["id"] for row in rows] == [victim.pk]
    assert not {"phone", "email", "birth_year"} & set(rows[0])


ROUTE_CHECKS: dict[str, Callable] = {
    "note-create": _note_create,
    "note-detail": _note_detail,
    "note-publish": _note_publish,
    "note-media": _note_media,
    "note-like": _note_like,
    "note-collect": _note_collect,
    "note-share": _note_share,
    "note-comments": _note_comments,
    "comment-detail": _comment_detail,
    "comment-replies": _comment_replies,
    "comment-like": _comment_like,
    "feed-discover": _feed_discover,
    "feed-following": _feed_following,
    "topic-detail": _topic_detail,
    "topic-notes": _topic_notes,
    "user-notes": _user_notes,
    "me-notes": _me_notes,
    "me-boards": _me_boards,
    "me-board-detail": _me_board_detail,
    "me-collects": _me_collects,
    "search-notes": _search_notes,
    "search-users": _search_users,
}
