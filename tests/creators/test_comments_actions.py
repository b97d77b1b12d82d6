"""Acting on comments from the inbox: hide, unhide, delete, held comments, pin, reply, block,
batches; what others then see, and counters that stay exact."""

import random

import pytest

from apps.accounts.models import Block
from apps.moderation.models import Strike
from apps.moderation.targets import Visibility
from apps.notes.models import Comment, CommentStatus, CreatorState
from apps.notes.services import comment_moderation_set
from tests.creators.comments_factories import (
    assert_counters_exact,
    blocked_word,
    comment,
    comments_count,
    replies_count,
)
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/creator/comments"


def _public_ids(client, note) -> list[int]:
    response = client.get(f"/api/v1/notes/{note.pk}/comments")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def thread(user):
    """My note with a top-level comment, two replies under it, and another top-level comment."""
    note = NoteFactory(author=user)
    alice, bob = UserFactory(), UserFactory()
    top = comment(alice, note, "楼主")
    first = comment(bob, note, "一楼", reply_to=top)
    second = comment(alice, note, "二楼", reply_to=first)
    other = comment(bob, note, "另一条")
    assert comments_count(note) == 4
    return {"note": note, "alice": alice, "bob": bob, "top": top, "replies": [first, second],
            "other": other}  # fmt: skip


def test_hide_shows_a_comment_to_its_author_only_and_unhide_restores_it(
    user, api, make_client, thread
) -> None:
    note, top, alice, bob = thread["note"], thread["top"], thread["alice"], thread["bob"]
    response = api.post(f"{INBOX}/{top.pk}/hide")
    assert response.status_code == 200 and response.json()["state"] == "hidden"
    # The top-level comment takes its two replies out of the public count.
    assert comments_count(note) == 1
    stranger = make_client(UserFactory())
    assert _public_ids(stranger, note) == [thread["other"].pk]
    assert stranger.get(f"/api/v1/comments/{top.pk}").status_code == 404
    assert stranger.get(f"/api/v1/comments/{top.pk}/replies").status_code == 404
    assert stranger.post(f"/api/v1/comments/{top.pk}/like").status_code == 404
    # Its author still sees it, looking as usual.
    own = make_client(alice).get(f"/api/v1/comments/{top.pk}").json()
    assert own["under_review"] is False and "state" not in own
    assert top.pk in _public_ids(make_client(alice), note)
    # A creator's hide is not a moderation decision: no strike, moderation untouched.
    assert Comment.objects.get(pk=top.pk).moderation == Visibility.VISIBLE
    assert not Strike.objects.filter(user=alice).exists()

    assert api.post(f"{INBOX}/{top.pk}/hide").status_code == 200  # a repeat changes nothing
    assert comments_count(note) == 1
    response = api.delete(f"{INBOX}/{top.pk}/hide")
    assert response.status_code == 200 and response.json()["state"] == "visible"
    assert comments_count(note) == 4
    assert set(_public_ids(make_client(bob), note)) == {top.pk, thread["other"].pk}
    assert_counters_exact()


def test_hiding_a_reply_moves_its_parents_replies_count(api, thread) -> None:
    first = thread["replies"][0]
    assert api.post(f"{INBOX}/{first.pk}/hide").status_code == 200
    assert replies_count(thread["top"]) == 1 and comments_count(thread["note"]) == 3
    assert api.delete(f"{INBOX}/{first.pk}/hide").status_code == 200
    assert replies_count(thread["top"]) == 2 and comments_count(thread["note"]) == 4
    assert_counters_exact()


def test_delete_takes_replies_with_a_top_level_comment(api, make_client, thread) -> None:
    assert api.delete(f"{INBOX}/{thread['top'].pk}").status_code == 204
    assert comments_count(thread["note"]) == 1
    statuses = set(
        Comment.objects.filter(pk__in=[c.pk for c in thread["replies"]]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {CommentStatus.DELETED}
    assert api.delete(f"{INBOX}/{thread['top'].pk}").status_code == 404  # gone from my inbox
    assert api.post(f"{INBOX}/{thread['top'].pk}/hide").status_code == 404
    assert_counters_exact()


def test_held_comments_wait_for_approval_and_reject_keeps_them_private(
    user, api, make_client
) -> None:
    note = NoteFactory(author=user)
    blocked_word(user, "代购", "hold")
    writer = UserFactory()
    held = comment(writer, note, "需要代购私聊")
    other = comment(writer, note, "代购+1")
    assert comments_count(note) == 0
    assert _public_ids(make_client(UserFactory()), note) == []
    assert set(_public_ids(make_client(writer), note)) == {held.pk, other.pk}
    queue = api.get(INBOX, {"state": "held"}).json()["results"]
    assert [row["id"] for row in queue] == [other.pk, held.pk]

    assert api.post(f"{INBOX}/{held.pk}/approve").json()["state"] == "visible"
    assert comments_count(note) == 1
    assert _public_ids(make_client(UserFactory()), note) == [held.pk]
    response = api.post(f"{INBOX}/{other.pk}/reject")
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    assert comments_count(note) == 1
    assert api.get(INBOX, {"state": "held"}).json()["results"] == []
    assert [r["id"] for r in api.get(INBOX, {"state": "rejected"}).json()["results"]] == [other.pk]
    assert other.pk in _public_ids(make_client(writer), note)  # its author is not told

    # Only held comments can be approved or rejected; only visible ones hidden.
    for path, code in ((f"{other.pk}/approve", 409), (f"{other.pk}/hide", 409)):
        response = api.post(f"{INBOX}/{path}")
        assert response.status_code == code
        assert response.json()["error"]["code"] == "comment.illegal_transition"
    assert api.post(f"{INBOX}/{held.pk}/reject").status_code == 409
    assert api.post(f"{INBOX}/{held.pk}/approve").status_code == 200  # a repeat
    assert_counters_exact()


def test_pin_one_top_level_comment_per_note_shown_first(user, api, make_client, thread) -> None:
    note, top, other = thread["note"], thread["top"], thread["other"]
    reader = make_client(UserFactory())
    assert _public_ids(reader, note) == [other.pk, top.pk]
    response = api.post(f"{INBOX}/{top.pk}/pin")
    assert response.status_code == 200 and response.json()["pinned"] is True
    rows = reader.get(f"/api/v1/notes/{note.pk}/comments").json()["results"]
    assert [(row["id"], row["pinned"]) for row in rows] == [(top.pk, True), (other.pk, False)]

    # A later page never repeats it.
    page = reader.get(f"/api/v1/notes/{note.pk}/comments", {"page_size": 1}).json()
    assert [row["id"] for row in page["results"]] == [top.pk, other.pk]
    assert page["next"] is None

    assert api.post(f"{INBOX}/{other.pk}/pin").status_code == 200  # replaces the pin
    assert list(Comment.objects.filter(note=note, pinned_at__isnull=False)) == [other]
    assert _public_ids(reader, note) == [other.pk, top.pk]

    reply = thread["replies"][0]
    response = api.post(f"{INBOX}/{reply.pk}/pin")
    assert response.status_code == 409 and response.json()["error"]["code"] == "comment.pin_reply"
    assert api.post(f"{INBOX}/{other.pk}/hide").status_code == 200  # hiding unpins
    assert not Comment.objects.filter(note=note, pinned_at__isnull=False).exists()
    assert api.post(f"{INBOX}/{other.pk}/pin").status_code == 409
    assert api.post(f"{INBOX}/{top.pk}/pin").status_code == 200
    assert api.delete(f"{INBOX}/{top.pk}/pin").json()["pinned"] is False
    assert api.delete(f"{INBOX}/{top.pk}/pin").status_code == 200  # a repeat
    own = comment(user, note, "链接在主页")
    assert api.post(f"{INBOX}/{own.pk}/pin").status_code == 200  # my own comment too
    assert _public_ids(reader, note)[0] == own.pk


def test_reply_from_the_inbox_is_my_public_reply(user, api, make_client, thread) -> None:
    top = thread["top"]
    response = api.post(f"{INBOX}/{top.pk}/reply", {"body": "谢谢喜欢"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["by_note_author"] is True and body["parent_id"] == top.pk
    assert body["reply_to_user"]["id"] == thread["alice"].pk
    assert comments_count(thread["note"]) == 5
    assert api.get(f"{INBOX}/{top.pk}").json()["replied_at"] is not None
    assert body["id"] not in [r["id"] for r in api.get(INBOX).json()["results"]]

    retry = {"HTTP_IDEMPOTENCY_KEY": "b0d5c0e2-reply"}
    first = api.post(f"{INBOX}/{top.pk}/reply", {"body": "再谢"}, **retry)
    again = api.post(f"{INBOX}/{top.pk}/reply", {"body": "再谢"}, **retry)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]

    assert api.post(f"{INBOX}/{top.pk}/reply", {"body": " "}).status_code == 400
    assert api.post(f"{INBOX}/{top.pk}/reply", {}).status_code == 400
    api.post(f"{INBOX}/{top.pk}/hide")
    response = api.post(f"{INBOX}/{top.pk}/reply", {"body": "隐藏了还回"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "comment.invalid_reply_target"


def test_block_author_hides_their_comments_on_my_notes_and_blocks_them(
    user, api, make_client, thread
) -> None:
    alice, note = thread["alice"], thread["note"]
    elsewhere = NoteFactory()
    outside = comment(alice, elsewhere, "别处的评论")
    second_note = NoteFactory(author=user)
    more = comment(alice, second_note, "又来")
    response = api.post(f"{INBOX}/{thread['top'].pk}/block-author")
    assert response.status_code == 200, response.content
    assert response.json() == {"blocked_user_id": alice.pk, "hidden_comments": 3}
    assert Block.objects.filter(blocker=user, blocked=alice).exists()
    assert comments_count(note) == 1 and comments_count(second_note) == 0
    assert Comment.objects.get(pk=more.pk).creator_state == CreatorState.HIDDEN
    assert Comment.objects.get(pk=outside.pk).creator_state == CreatorState.VISIBLE
    response = make_client(alice).post(f"/api/v1/notes/{note.pk}/comments", {"body": "还想说"})
    assert response.status_code == 404
    own = comment(user, note, "自己")
    response = api.post(f"{INBOX}/{own.pk}/block-author")
    assert response.status_code == 409 and response.json()["error"]["code"] == "block.self"
    bob_comment = thread["other"]
    response = api.post(f"{INBOX}/{bob_comment.pk}/block-author", {"hide_comments": False})
    assert response.json()["hidden_comments"] == 0
    assert Comment.objects.get(pk=bob_comment.pk).creator_state == CreatorState.VISIBLE
    assert_counters_exact()


# --- batches ----------------------------------------------------------------------------------


def test_batch_of_100_hides_atomically_across_notes(user, api, make_client) -> None:
    notes = [NoteFactory(author=user) for _ in range(4)]
    writers = [UserFactory() for _ in range(5)]
    comments = [comment(writers[i % 5], notes[i % 4], f"第{i}条") for i in range(100)]
    ids = [c.pk for c in comments]
    response = api.post(f"{INBOX}/batch", {"action": "hide", "ids": ids})
    assert response.status_code == 200, response.content
    assert {row["state"] for row in response.json()["results"]} == {"hidden"}
    assert [comments_count(note) for note in notes] == [0, 0, 0, 0]
    response = api.post(f"{INBOX}/batch", {"action": "unhide", "ids": ids})
    assert [comments_count(note) for note in notes] == [25, 25, 25, 25]

    extra = comment(writers[0], notes[0], "第101条")
    response = api.post(f"{INBOX}/batch", {"action": "hide", "ids": [*ids, extra.pk]})
    assert response.status_code == 400 and "ids" in response.json()["error"]["fields"]
    assert api.post(f"{INBOX}/batch", {"action": "hide", "ids": []}).status_code == 400
    assert api.post(f"{INBOX}/batch", {"action": "pin", "ids": ids[:2]}).status_code == 400
    assert api.post(f"{INBOX}/batch", {"action": "hide", "ids": ["x"]}).status_code == 400
    assert api.post(f"{INBOX}/batch", {"action": "hide"}).status_code == 400
    assert_counters_exact()


def test_batch_with_one_comment_not_on_my_notes_changes_nothing(user, api, thread) -> None:
    foreign = comment(UserFactory(), NoteFactory(), "别人的")
    mine = [thread["top"].pk, thread["other"].pk]
    for action in ("hide", "delete"):
        response = api.post(f"{INBOX}/batch", {"action": action, "ids": [*mine, foreign.pk]})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "comment.not_found"
        assert str(foreign.pk) in response.json()["error"]["fields"]["ids"][0]
    response = api.post(f"{INBOX}/batch", {"action": "hide", "ids": [*mine, 2**50]})
    assert response.status_code == 404
    assert set(Comment.objects.filter(pk__in=mine).values_list("status", "creator_state")) == {
        ("visible", "visible")
    }
    assert comments_count(thread["note"]) == 4
    assert Comment.objects.get(pk=foreign.pk).status == CommentStatus.VISIBLE

    # A deleted or moderation-held comment of mine refuses the batch too.
    comment_moderation_set(comment=thread["other"], visibility=Visibility.REVIEW)
    response = api.post(f"{INBOX}/batch", {"action": "delete", "ids": mine})
    assert response.status_code == 404
    assert Comment.objects.get(pk=thread["top"].pk).status == CommentStatus.VISIBLE


def test_batch_with_one_comment_in_the_wrong_state_changes_nothing(user, api, thread) -> None:
    blocked_word(user, "私信", "hold")
    held = comment(UserFactory(), thread["note"], "私信我")
    response = api.post(
        f"{INBOX}/batch", {"action": "approve", "ids": [held.pk, thread["other"].pk]}
    )
    assert response.status_code == 200  # approving a visible comment is a repeat
    held2 = comment(UserFactory(), thread["note"], "私信我2")
    api.post(f"{INBOX}/{thread['other'].pk}/hide")
    response = api.post(
        f"{INBOX}/batch", {"action": "approve", "ids": [held2.pk, thread["other"].pk]}
    )
    assert response.status_code == 409
    assert Comment.objects.get(pk=held2.pk).creator_state == CreatorState.HELD
    assert_counters_exact()


def test_batch_delete_of_a_parent_with_its_reply_and_duplicates(api, thread) -> None:
    first = thread["replies"][0]
    ids = [first.pk, thread["top"].pk, first.pk, thread["other"].pk]
    response = api.post(f"{INBOX}/batch", {"action": "delete", "ids": ids})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [
        first.pk,
        thread["top"].pk,
        thread["other"].pk,
    ]
    assert all(row["deleted"] for row in response.json()["results"])
    assert comments_count(thread["note"]) == 0
    assert not Comment.objects.filter(note=thread["note"], status="visible").exists()
    assert_counters_exact()


def test_random_creator_actions_keep_every_counter_equal_to_a_rebuild(user, make_client) -> None:
    rng = random.Random(11)
    api = make_client(user)
    notes = [NoteFactory(author=user) for _ in range(3)]
    writers = [UserFactory() for _ in range(5)]
    blocked_word(user, "广告", "hold")
    made: list[Comment] = []
    for step in range(150):
        action = rng.choice(["comment", "reply", "hide", "unhide", "approve", "reject", "delete",
                             "batch", "moderate", "like", "own"])  # fmt: skip
        if action == "comment" or not made:
            body = rng.choice(["好", "广告", "不错"])
            made.append(comment(rng.choice(writers), rng.choice(notes), f"{body}{step}"))
        elif action == "reply":
            target = rng.choice(made)
            client = make_client(rng.choice(writers))
            response = client.post(
                f"/api/v1/notes/{target.note_id}/comments", {"body": "回", "reply_to": target.pk}
            )
            if response.status_code == 201:
                made.append(Comment.objects.get(pk=response.json()["id"]))
        elif action == "own":
            api.post(f"{INBOX}/{rng.choice(made).pk}/reply", {"body": "作者回复"})
        elif action == "batch":
            ids = [c.pk for c in rng.sample(made, min(len(made), 4))]
            api.post(f"{INBOX}/batch", {"action": rng.choice(["hide", "unhide"]), "ids": ids})
        elif action == "moderate":
            target = Comment.objects.get(pk=rng.choice(made).pk)
            comment_moderation_set(
                comment=target, visibility=rng.choice([Visibility.HIDDEN, Visibility.VISIBLE])
            )
        elif action == "like":
            make_client(rng.choice(writers)).post(f"/api/v1/comments/{rng.choice(made).pk}/like")
        elif action == "delete":
            api.delete(f"{INBOX}/{rng.choice(made).pk}")
        else:
            path = "hide" if action == "unhide" else action
            method = api.delete if action == "unhide" else api.post
            method(f"{INBOX}/{rng.choice(made).pk}/{path}")
    states = set(Comment.objects.values_list("creator_state", flat=True))
    assert {"hidden", "held"} <= states or {"hidden", "rejected"} <= states
    assert Comment.objects.filter(status="deleted").exists()
    assert_counters_exact()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("delete", ""),
        ("post", "/hide"),
        ("delete", "/hide"),
        ("post", "/pin"),
        ("delete", "/pin"),
        ("post", "/approve"),
        ("post", "/reject"),
        ("post", "/block-author"),
        ("post", "/reply"),
    ],
)
def test_ids_past_the_largest_key_are_not_found(api, method: str, path: str) -> None:
    for comment_id in (2**63, 2**70, 0):
        response = getattr(api, method)(f"{INBOX}/{comment_id}{path}", {"body": "嗯"})
        assert response.status_code == 404, response.content


def test_a_batch_makes_the_same_queries_for_1_and_100_comments(make_client, count_queries) -> None:
    def measure(size: int) -> tuple[int, int]:
        creator = UserFactory()
        notes = [NoteFactory(author=creator) for _ in range(5)]
        writers = [UserFactory() for _ in range(3)]
        tops = [comment(writers[i % 3], notes[i % 5], f"评论{i}") for i in range(size - 1)]
        reply = comment(writers[0], tops[0].note, "回", reply_to=tops[0])
        ids = [c.pk for c in tops] + [reply.pk]
        client = make_client(creator)

        def run(action: str):
            def request() -> None:
                response = client.post(f"{INBOX}/batch", {"action": action, "ids": ids})
                assert response.status_code == 200, response.content

            return request

        return count_queries(run("hide")), count_queries(run("delete"))

    assert measure(2) == measure(100)
