"""Comments and replies: one level deep, naming whom they answer; counts, deletes, likes."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.models import Block
from apps.moderation.targets import Visibility
from apps.notes import services
from apps.notes.models import Comment, CommentLike, CommentStatus, Note, NoteVisibility
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory

pytestmark = pytest.mark.django_db


def _comment(client, note_id: int, body: str = "好看！", **extra):
    return client.post(f"/api/v1/notes/{note_id}/comments", {"body": body, **extra})


def _counts(note: Note) -> int:
    note.refresh_from_db()
    return note.comments_count


def test_comment_and_reply_rules(make_client) -> None:
    author, alice, bob = UserFactory(), UserFactory(), UserFactory()
    note = NoteFactory(author=author)
    top = _comment(make_client(alice), note.pk, "求链接")
    assert top.status_code == 201, top.content
    top_body = top.json()
    assert top_body["parent_id"] is None
    assert top_body["reply_to_user"] is None
    assert top_body["by_note_author"] is False

    # The author answers Alice; Bob answers the author's reply: both hang under Alice's comment.
    answer = _comment(make_client(author), note.pk, "在主页", reply_to=top_body["id"]).json()
    assert answer["parent_id"] == top_body["id"]
    assert answer["reply_to_user"]["id"] == alice.pk
    assert answer["by_note_author"] is True
    nested = _comment(make_client(bob), note.pk, "谢谢", reply_to=answer["id"]).json()
    assert nested["parent_id"] == top_body["id"]  # one level only
    assert nested["reply_to_id"] == answer["id"]
    assert nested["reply_to_user"]["id"] == author.pk

    assert _counts(note) == 3
    assert Comment.objects.get(pk=top_body["id"]).replies_count == 2

    listed = make_client(bob).get(f"/api/v1/notes/{note.pk}/comments").json()["results"]
    assert [c["id"] for c in listed] == [top_body["id"]]
    assert listed[0]["replies_count"] == 2
    replies = make_client(bob).get(f"/api/v1/comments/{top_body['id']}/replies").json()
    assert [c["id"] for c in replies["results"]] == [answer["id"], nested["id"]]


def test_reply_to_a_comment_on_another_note_is_refused(api) -> None:
    elsewhere = Comment.objects.create(note=NoteFactory(), author=UserFactory(), body="hi")
    note = NoteFactory()
    response = _comment(api, note.pk, "hi", reply_to=elsewhere.pk)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "comment.invalid_reply_target"
    assert "reply_to" in response.json()["error"]["fields"]
    assert _counts(note) == 0


def test_reply_to_a_deleted_comment_is_refused(api, make_client) -> None:
    note = NoteFactory()
    alice = UserFactory()
    top = _comment(make_client(alice), note.pk).json()
    make_client(alice).delete(f"/api/v1/comments/{top['id']}")
    response = _comment(api, note.pk, "还在吗", reply_to=top["id"])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "comment.invalid_reply_target"


def test_blocked_users_cannot_reply_to_each_other(make_client, user) -> None:
    note, alice = NoteFactory(), UserFactory()
    top = _comment(make_client(alice), note.pk).json()
    Block.objects.create(blocker=alice, blocked=user)
    response = _comment(make_client(user), note.pk, "喂", reply_to=top["id"])
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "comment.blocked"
    # And the blocked user no longer sees Alice's comment.
    listed = make_client(user).get(f"/api/v1/notes/{note.pk}/comments").json()["results"]
    assert listed == []


def test_cannot_comment_on_notes_the_viewer_cannot_see(api) -> None:
    author = UserFactory()
    for note in (
        NoteFactory(author=author, visibility=NoteVisibility.PRIVATE),
        NoteFactory(author=author, moderation=Visibility.HIDDEN),
    ):
        response = _comment(api, note.pk)
        assert response.status_code == 404
        assert api.get(f"/api/v1/notes/{note.pk}/comments").status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "字" * 501])
def test_comment_length_is_checked(api, body: str) -> None:
    note = NoteFactory()
    response = _comment(api, note.pk, body)
    assert response.status_code == 400
    assert "body" in response.json()["error"]["fields"]
    assert _counts(note) == 0


def test_delete_rules_and_counts(make_client) -> None:
    author, alice, bob = UserFactory(), UserFactory(), UserFactory()
    note = NoteFactory(author=author)
    top = _comment(make_client(alice), note.pk).json()
    reply = _comment(make_client(bob), note.pk, "+1", reply_to=top["id"]).json()
    other = _comment(make_client(bob), note.pk, "第二条").json()
    assert _counts(note) == 3

    refused = make_client(bob).delete(f"/api/v1/comments/{top['id']}")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "comment.not_author"

    assert make_client(bob).delete(f"/api/v1/comments/{reply['id']}").status_code == 204
    assert Comment.objects.get(pk=top["id"]).replies_count == 0
    assert _counts(note) == 2
    # The note's author may delete any comment on it; replies go with a top-level comment.
    _comment(make_client(bob), note.pk, "再来", reply_to=top["id"])
    assert _counts(note) == 3
    assert make_client(author).delete(f"/api/v1/comments/{top['id']}").status_code == 204
    assert _counts(note) == 1
    assert Comment.objects.filter(status=CommentStatus.VISIBLE).get().pk == other["id"]
    assert make_client(author).delete(f"/api/v1/comments/{top['id']}").status_code == 404


def test_comment_likes_are_idempotent(api) -> None:
    comment = Comment.objects.create(note=NoteFactory(), author=UserFactory(), body="赞")
    url = f"/api/v1/comments/{comment.pk}/like"
    assert api.post(url).status_code == 201
    assert api.post(url).json() == {"liked": True, "likes_count": 1}
    assert api.delete(url).json() == {"liked": False, "likes_count": 0}
    assert api.delete(url).json() == {"liked": False, "likes_count": 0}
    assert not CommentLike.objects.exists()


def test_held_comment_is_shown_to_its_author_only_and_not_counted(make_client) -> None:
    note = NoteFactory()
    writer, reader = UserFactory(), UserFactory()
    created = _comment(make_client(writer), note.pk, "加我微信 abc").json()
    comment = Comment.objects.get(pk=created["id"])
    services.comment_moderation_set(comment=comment, visibility=Visibility.REVIEW)
    assert _counts(note) == 0

    mine = make_client(writer).get(f"/api/v1/notes/{note.pk}/comments").json()["results"]
    assert [(c["id"], c["under_review"]) for c in mine] == [(comment.pk, True)]
    assert make_client(reader).get(f"/api/v1/notes/{note.pk}/comments").json()["results"] == []
    assert make_client(reader).get(f"/api/v1/comments/{comment.pk}").status_code == 404
    assert make_client(reader).post(f"/api/v1/comments/{comment.pk}/like").status_code == 404

    services.comment_moderation_set(comment=comment, visibility=Visibility.VISIBLE)
    assert _counts(note) == 1


def test_hiding_a_top_level_comment_takes_its_replies_out_of_the_count(make_client) -> None:
    note = NoteFactory()
    alice, bob = UserFactory(), UserFactory()
    top = _comment(make_client(alice), note.pk).json()
    _comment(make_client(bob), note.pk, "回复", reply_to=top["id"])
    _comment(make_client(bob), note.pk, "回复2", reply_to=top["id"])
    assert _counts(note) == 3
    comment = Comment.objects.get(pk=top["id"])
    services.comment_moderation_set(comment=comment, visibility=Visibility.HIDDEN)
    assert _counts(note) == 0
    assert make_client(bob).get(f"/api/v1/comments/{top['id']}/replies").status_code == 404
    services.comment_moderation_set(comment=comment, visibility=Visibility.VISIBLE)
    assert _counts(note) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_comments_and_replies_keep_counts_exact() -> None:
    note = NoteFactory()
    writers = [UserFactory() for _ in range(12)]
    top = Comment.objects.create(note=note, author=writers[0], body="楼主")
    note.comments_count = 1
    note.save(update_fields=["comments_count"])

    def act(index: int) -> int:
        client = APIClient()
        client.force_authenticate(writers[index % len(writers)])
        try:
            extra = {"reply_to": top.pk} if index % 2 else {}
            return _comment(client, note.pk, f"第{index}条", **extra).status_code
        finally:
            connection.close()

    barrier = threading.Barrier(24)
    results: list[int] = []

    def worker(index: int) -> None:
        barrier.wait()
        results.append(act(index))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [201] * 24
    assert _counts(note) == 25 == Comment.objects.filter(note=note).count()
    top.refresh_from_db()
    assert top.replies_count == 12


def test_a_retried_comment_with_its_idempotency_key_is_stored_once(api) -> None:
    note = NoteFactory()
    url = f"/api/v1/notes/{note.pk}/comments"
    headers = {"Idempotency-Key": "c6a1f0e2-retry"}
    first = api.post(url, {"body": "好看"}, headers=headers)
    again = api.post(url, {"body": "好看"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Comment.objects.filter(note=note).count() == 1
    assert _counts(note) == 1
    reused = api.post(url, {"body": "另一条"}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency.key_reused"
    assert api.post(url, {"body": "好看"}).status_code == 201  # no key: a new comment
    assert _counts(note) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_comment_likes_count_every_like_once() -> None:
    comment = Comment.objects.create(note=NoteFactory(), author=UserFactory(), body="赞")
    fans = [UserFactory() for _ in range(12)]
    url = f"/api/v1/comments/{comment.pk}/like"
    barrier = threading.Barrier(24)
    results: list[int] = []

    def worker(fan) -> None:
        client = APIClient()
        client.force_authenticate(fan)
        try:
            barrier.wait()
            results.append(client.post(url).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(fans[i % 12],)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] * 12 + [201] * 12
    comment.refresh_from_db()
    assert comment.likes_count == 12 == CommentLike.objects.filter(comment=comment).count()
