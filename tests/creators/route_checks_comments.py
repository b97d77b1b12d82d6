"""Object-permission checks for the comment-management routes (collected by tests/core).

The victim is a creator with notes, comments in every state (visible, a reply, pinned, held,
hidden), blocked words and a trusted commenter. The attacker calls every route with the
victim's ids: they must never see the victim's inbox, act on the victim's comments, or read or
change the victim's filters and settings; the answer is 404 (or the attacker's own empty data)
and nothing of the victim's changes.
"""

from collections.abc import Callable

from apps.accounts.models import Block
from tests.creators.comments_factories import victim_state, victim_with_comments


def _ids(data: dict) -> list[int]:
    return [data[name].pk for name in ("visible", "pinned", "reply", "held", "hidden")]


def _refused(response, code: str = "comment.not_found") -> None:
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == code


def _inbox(client, victim) -> None:
    data = victim_with_comments(victim)
    for params in ({}, {"state": "held"}, {"state": "hidden"}, {"note": data["notes"][0].pk}):
        body = client.get("/api/v1/creator/comments", params).json()
        assert body["results"] == [], params
    assert client.get(f"/api/v1/creator/comments?author={data['fan'].pk}").json()["results"] == []


def _comment(client, victim) -> None:
    data = victim_with_comments(victim)
    before = victim_state(victim)
    for comment_id in _ids(data):
        _refused(client.get(f"/api/v1/creator/comments/{comment_id}"))
        _refused(client.delete(f"/api/v1/creator/comments/{comment_id}"))
    assert victim_state(victim) == before


def _batch(client, victim) -> None:
    data = victim_with_comments(victim)
    before = victim_state(victim)
    for action in ("hide", "unhide", "approve", "reject", "delete"):
        _refused(
            client.post("/api/v1/creator/comments/batch", {"action": action, "ids": _ids(data)})
        )
    assert victim_state(victim) == before


def _reply(client, victim) -> None:
    data = victim_with_comments(victim)
    before = victim_state(victim)
    for comment_id in _ids(data):
        _refused(client.post(f"/api/v1/creator/comments/{comment_id}/reply", {"body": "哈"}))
    assert victim_state(victim) == before


def _per_comment(path: str, methods: tuple[str, ...]) -> Callable:
    def check(client, victim) -> None:
        data = victim_with_comments(victim)
        before = victim_state(victim)
        for comment_id in _ids(data):
            for method in methods:
                _refused(getattr(client, method)(f"/api/v1/creator/comments/{comment_id}/{path}"))
        assert victim_state(victim) == before

    return check


def _block_author(client, victim) -> None:
    data = victim_with_comments(victim)
    before = victim_state(victim)
    for comment_id in _ids(data):
        _refused(client.post(f"/api/v1/creator/comments/{comment_id}/block-author"))
    assert victim_state(victim) == before
    assert not Block.objects.filter(blocker=client.attacker).exists()


def _words(client, victim) -> None:
    victim_with_comments(victim)
    before = victim_state(victim)
    body = client.get("/api/v1/creator/comment-filters/words").json()
    assert body["results"] == []
    client.post("/api/v1/creator/comment-filters/words", {"word": "加微信", "action": "block"})
    assert victim_state(victim) == before  # the attacker's word is the attacker's own


def _word(client, victim) -> None:
    data = victim_with_comments(victim)
    before = victim_state(victim)
    for word in data["words"]:
        path = f"/api/v1/creator/comment-filters/words/{word.pk}"
        _refused(client.patch(path, {"action": "block"}), "blocked_word.not_found")
        _refused(client.delete(path), "blocked_word.not_found")
    assert victim_state(victim) == before


def _trusted(client, victim) -> None:
    data = victim_with_comments(victim)
    before = victim_state(victim)
    assert client.get("/api/v1/creator/comment-filters/trusted").json()["results"] == []
    client.post("/api/v1/creator/comment-filters/trusted", {"user_id": data["troll"].pk})
    assert victim_state(victim) == before


def _trusted_one(client, victim) -> None:
    data = victim_with_comments(victim)
    before = victim_state(victim)
    response = client.delete(f"/api/v1/creator/comment-filters/trusted/{data['fan'].pk}")
    assert response.status_code == 204  # removes from the attacker's own (empty) list
    assert victim_state(victim) == before


def _note_settings(client, victim) -> None:
    data = victim_with_comments(victim)
    before = victim_state(victim)
    for note in data["notes"]:
        path = f"/api/v1/creator/notes/{note.pk}/comment-settings"
        _refused(client.get(path), "note.not_found")
        _refused(client.put(path, {"who_can_comment": "nobody"}), "note.not_found")
    assert victim_state(victim) == before


ROUTE_CHECKS: dict[str, Callable] = {
    "creator-comments": _inbox,
    "creator-comment": _comment,
    "creator-comments-batch": _batch,
    "creator-comment-reply": _reply,
    "creator-comment-pin": _per_comment("pin", ("post", "delete")),
    "creator-comment-hide": _per_comment("hide", ("post", "delete")),
    "creator-comment-approve": _per_comment("approve", ("post",)),
    "creator-comment-reject": _per_comment("reject", ("post",)),
    "creator-comment-block-author": _block_author,
    "creator-blocked-words": _words,
    "creator-blocked-word": _word,
    "creator-trusted-commenters": _trusted,
    "creator-trusted-commenter": _trusted_one,
    "creator-note-comment-settings": _note_settings,
}
