"""The comment state machine walked through the API: every (state, action) pair, one by one and
in a batch. A legal move lands in its state and keeps every counter exact; an illegal one is 409
``comment.illegal_transition`` and writes nothing."""

import pytest

from apps.accounts.models import Profile
from apps.creators.comments_services import comments_manage
from apps.creators.models import BlockedWord
from apps.notes.models import COMMENT_MACHINE, Comment, CreatorState, Note
from tests.creators.comments_factories import assert_counters_exact, blocked_word, comment
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/creator/comments"
V, H, D, R = (CreatorState.VISIBLE, CreatorState.HIDDEN, CreatorState.HELD, CreatorState.REJECTED)

# (state, action) -> the state it lands in, or None where the move is refused. Written out here,
# not read from the machine, so a change to the machine's table shows up as a failing pair.
EXPECTED = {
    (V, "hide"): H, (V, "unhide"): V, (V, "approve"): V, (V, "reject"): None,
    (H, "hide"): H, (H, "unhide"): V, (H, "approve"): None, (H, "reject"): None,
    (D, "hide"): None, (D, "unhide"): None, (D, "approve"): V, (D, "reject"): R,
    (R, "hide"): None, (R, "unhide"): None, (R, "approve"): None, (R, "reject"): R,
}  # fmt: skip

# How each action is called on one comment.
SINGLE = {
    "hide": ("post", "hide"),
    "unhide": ("delete", "hide"),
    "approve": ("post", "approve"),
    "reject": ("post", "reject"),
}


def test_the_table_covers_every_pair_of_the_machine() -> None:
    assert set(EXPECTED) == set(COMMENT_MACHINE.pairs())
    assert COMMENT_MACHINE.code == "comment.illegal_transition"


def _comment_in(state: str, creator) -> Comment:
    """A top-level comment brought to ``state`` through the real paths; a visible or hidden one
    has a reply (written while it was visible), so the moves carry counted replies too."""
    note = NoteFactory(author=creator)
    if not BlockedWord.objects.filter(creator=creator).exists():
        blocked_word(creator, "代购", "hold")
    writer = UserFactory()
    top = comment(writer, note, "代购私聊" if state in (D, R) else "好看")
    if state in (V, H):
        comment(UserFactory(), note, "同意", reply_to=top)
    if state == H:
        comments_manage(note_author=creator, comment_ids=[top.pk], action="hide")
    if state == R:
        comments_manage(note_author=creator, comment_ids=[top.pk], action="reject")
    top.refresh_from_db()
    assert top.creator_state == state
    return top


def _snapshot() -> tuple:
    return (
        sorted(Comment.objects.values_list("id", "status", "creator_state", "pinned_at")),
        sorted(Comment.objects.values_list("id", "replies_count", "likes_count")),
        sorted(Note.objects.values_list("id", "comments_count", "rank")),
        sorted(
            Profile.objects.values_list(
                "user_id", "notes_count", "likes_received_count", "collects_received_count"
            )
        ),
    )


@pytest.mark.parametrize("how", ["single", "batch"])
@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_every_state_and_action(user, api, state: str, action: str, how: str) -> None:
    target = _comment_in(state, user)
    before = _snapshot()
    if how == "single":
        method, path = SINGLE[action]
        response = getattr(api, method)(f"{INBOX}/{target.pk}/{path}")
    else:
        response = api.post(f"{INBOX}/batch", {"ids": [target.pk], "action": action}, "json")

    expected = EXPECTED[(state, action)]
    if expected is None:
        assert response.status_code == 409, response.content
        error = response.json()["error"]
        assert error["code"] == "comment.illegal_transition"
        assert state in error["message"]
        assert _snapshot() == before  # nothing written
    else:
        assert response.status_code == 200, response.content
        assert Comment.objects.get(pk=target.pk).creator_state == expected
        if expected == state:  # a repeat changes nothing
            assert _snapshot() == before
        assert_counters_exact()


def test_one_illegal_comment_refuses_the_whole_batch(user, api) -> None:
    visible, held = _comment_in(V, user), _comment_in(D, user)
    before = _snapshot()
    response = api.post(f"{INBOX}/batch", {"ids": [visible.pk, held.pk], "action": "hide"}, "json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "comment.illegal_transition"
    assert error["fields"] == {"ids": [f"{held.pk} is held"]}
    assert _snapshot() == before


@pytest.mark.parametrize("state", [H, D, R])
def test_only_a_visible_comment_can_be_pinned(user, api, state: str) -> None:
    target = _comment_in(state, user)
    before = _snapshot()
    response = api.post(f"{INBOX}/{target.pk}/pin")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "comment.illegal_transition"
    assert _snapshot() == before
