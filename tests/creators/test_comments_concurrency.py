"""Comment management under concurrency (PostgreSQL row locks): no deadlock, no lost update,
every counter equal to a rebuild from the rows."""

import random

import pytest

from apps.moderation.targets import Visibility
from apps.notes.models import Comment
from apps.notes.services import comment_moderation_set
from tests.concurrency import client_for, run_concurrently
from tests.creators.comments_factories import (
    assert_counters_exact,
    blocked_word,
    comment,
    comments_count,
)
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

INBOX = "/api/v1/creator/comments"


def test_a_storm_of_creator_actions_comments_and_likes_keeps_counts_exact() -> None:
    rng = random.Random(5)
    creator = UserFactory()
    notes = [NoteFactory(author=creator) for _ in range(3)]
    writers = [UserFactory() for _ in range(6)]
    blocked_word(creator, "私信", "hold")
    tops = [comment(writers[i % 6], notes[i % 3], f"评论{i}") for i in range(24)]
    replies = [comment(writers[(i + 1) % 6], tops[i].note, "回复", reply_to=tops[i])
               for i in range(0, 24, 2)]  # fmt: skip
    held = [comment(writers[i % 6], notes[i % 3], f"私信{i}") for i in range(5)]
    open_ids = [c.pk for c in tops + replies]
    deletable = rng.sample(open_ids, 4)
    batchable = [pk for pk in open_ids if pk not in deletable]

    def post(user, path: str, body: dict | None = None):
        return lambda: client_for(user).post(path, body or {}).status_code

    def delete(user, path: str):
        return lambda: client_for(user).delete(path).status_code

    actions = []
    for index in range(8):  # overlapping batches, ids in any order, across the three notes
        ids = rng.sample(batchable, 10)
        action = "hide" if index % 2 == 0 else "unhide"
        actions.append(post(creator, f"{INBOX}/batch", {"action": action, "ids": ids}))
    actions += [delete(creator, f"{INBOX}/{pk}") for pk in deletable]
    actions += [
        post(creator, f"{INBOX}/{held[0].pk}/approve"),
        post(creator, f"{INBOX}/{held[1].pk}/approve"),
        post(creator, f"{INBOX}/{held[2].pk}/reject"),
        post(creator, f"{INBOX}/batch", {"action": "approve", "ids": [held[3].pk]}),
    ]
    actions += [
        post(creator, f"{INBOX}/{tops[0].pk}/pin"),
        post(creator, f"{INBOX}/{tops[3].pk}/pin"),
    ]
    for index in range(6):
        note = notes[index % 3]
        body = {"body": f"新评论{index}"}
        if index % 2:
            body["reply_to"] = tops[index].pk
        actions.append(post(writers[index], f"/api/v1/notes/{note.pk}/comments", body))
    actions += [post(writers[i], f"/api/v1/comments/{tops[i + 6].pk}/like") for i in range(4)]
    actions.append(post(creator, f"{INBOX}/{tops[5].pk}/reply", {"body": "作者来了"}))

    def moderate() -> int:
        comment_moderation_set(
            comment=Comment.objects.get(pk=tops[7].pk), visibility=Visibility.HIDDEN
        )
        return 200

    actions.append(moderate)
    results = run_concurrently(actions)

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    # A reply to a comment hidden or deleted a moment earlier is refused (400), as it should.
    unexpected = [(i, r) for i, r in enumerate(results) if r not in (200, 201, 204, 400, 404, 409)]
    assert not unexpected, unexpected
    assert all(code in (204, 404) for code in results[8:12])
    assert results[12:16] == [200, 200, 200, 200]
    for note in notes:
        assert Comment.objects.filter(note=note, pinned_at__isnull=False).count() <= 1
    assert Comment.objects.filter(creator_state="hidden").exists()
    assert sum(comments_count(note) for note in notes) > 0
    assert_counters_exact()


def test_the_same_batch_sent_twice_at_once_counts_once() -> None:
    creator = UserFactory()
    note = NoteFactory(author=creator)
    writers = [UserFactory() for _ in range(4)]
    ids = [comment(writers[i % 4], note, f"评论{i}").pk for i in range(40)]
    body = {"action": "hide", "ids": ids}
    results = run_concurrently(
        [lambda: client_for(creator).post(f"{INBOX}/batch", body).status_code] * 8
    )
    assert results == [200] * 8
    assert comments_count(note) == 0
    results = run_concurrently(
        [
            lambda: (
                client_for(creator).post(f"{INBOX}/batch", {**body, "action": "delete"}).status_code
            )
        ]
        * 4
    )
    assert sorted(results) == [200, 404, 404, 404]
    assert comments_count(note) == 0
    assert_counters_exact()
