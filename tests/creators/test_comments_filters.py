"""My comment filters: blocked words with their actions, trusted commenters, who may comment."""

import pytest

from apps.accounts.models import Block, Follow
from apps.creators.comments_filters import comment_verdict
from apps.creators.comments_services import MAX_BLOCKED_WORDS
from apps.creators.models import BlockedWord
from apps.notes.models import Comment, CreatorState, Note
from tests.creators.comments_factories import (
    blocked_word,
    comment,
    comments_count,
    fan_of,
    trust,
)
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory

pytestmark = pytest.mark.django_db

WORDS = "/api/v1/creator/comment-filters/words"
TRUSTED = "/api/v1/creator/comment-filters/trusted"


def _post_comment(client, note: Note, body: str, **extra):
    return client.post(f"/api/v1/notes/{note.pk}/comments", {"body": body, **extra})


def _state(response) -> str:
    assert response.status_code == 201, response.content
    return Comment.objects.get(pk=response.json()["id"]).creator_state


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "text", "hit"),
    [
        ("加微信", "想要的加 微-信 聊", True),  # punctuation and spaces between characters
        ("加微信", "加\u200b微\u200d信", True),  # zero-width characters
        ("link", "ＬＩＮＫ in bio", True),  # full-width and case
        ("link", "see my l.i.n.k!", True),
        ("ugly", "so smugly said", False),  # Latin words match whole words only
        ("ugly", "丑ugly丑", True),  # a script change is a word boundary
        ("丑", "好丑啊", True),  # Chinese anywhere
        ("代购", "代 理 购买", False),
    ],
)
def test_words_match_after_moderations_normalisation(user, word: str, text: str, hit: bool) -> None:
    blocked_word(user, word, "hide")
    verdict = comment_verdict(creator_id=user.pk, commenter_id=UserFactory().pk, text=text)
    assert (verdict.state == CreatorState.HIDDEN) is hit


def test_the_strongest_action_wins_and_trusted_commenters_skip_the_words(user) -> None:
    blocked_word(user, "丑", "hide")
    blocked_word(user, "私信", "hold")
    blocked_word(user, "骗子", "block")
    writer = UserFactory()

    def verdict(text: str):
        return comment_verdict(creator_id=user.pk, commenter_id=writer.pk, text=text)

    assert verdict("真丑").state == CreatorState.HIDDEN
    assert verdict("丑，私信我").state == CreatorState.HELD
    found = verdict("丑骗子，私信")
    assert found.state == CreatorState.HIDDEN and found.block_author and found.word == "骗子"
    assert verdict("很好看").state == CreatorState.VISIBLE
    trust(user, writer)
    assert verdict("丑骗子，私信") == comment_verdict(
        creator_id=user.pk, commenter_id=writer.pk, text="很好看"
    )
    # Another creator's words never apply to my notes.
    other = UserFactory()
    blocked_word(other, "好看", "hide")
    assert comment_verdict(creator_id=user.pk, commenter_id=other.pk, text="好看").state == (
        CreatorState.VISIBLE
    )


def test_words_apply_to_comments_on_my_notes_through_the_api(user, api, make_client) -> None:
    note = NoteFactory(author=user)
    for word, action in (("丑", "hide"), ("私信", "hold"), ("骗子", "block")):
        assert api.post(WORDS, {"word": word, "action": action}).status_code == 201
    writer = UserFactory()
    client = make_client(writer)
    assert _state(_post_comment(client, note, "有点丑")) == CreatorState.HIDDEN
    assert _state(_post_comment(client, note, "私信你了")) == CreatorState.HELD
    assert _state(_post_comment(client, note, "很好看")) == CreatorState.VISIBLE
    assert comments_count(note) == 1
    # The comment's author gets a normal answer either way.
    response = _post_comment(client, note, "丑")
    assert response.json()["under_review"] is False

    # My own comments and replies never go through my words.
    assert _state(_post_comment(api, note, "骗子别来")) == CreatorState.VISIBLE

    # "block": hidden, and its author blocked (by me), who then cannot comment again.
    assert _state(_post_comment(client, note, "骗子一个")) == CreatorState.HIDDEN
    assert Block.objects.filter(blocker=user, blocked=writer).exists()
    assert _post_comment(client, note, "再来").status_code == 404
    # Someone else's note is not affected by my words.
    elsewhere = NoteFactory()
    assert _state(_post_comment(make_client(UserFactory()), elsewhere, "丑")) == "visible"


# --- managing my words ---------------------------------------------------------------------------


def test_blocked_words_crud_normalises_and_refuses_duplicates(user, api) -> None:
    response = api.post(WORDS, {"word": " Link ", "action": "hold"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["word"] == "Link" and created["action"] == "hold"
    assert BlockedWord.objects.get(pk=created["id"]).normalized == "link"
    duplicate = api.post(WORDS, {"word": "ＬＩＮＫ"})
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "blocked_word.duplicate"
    assert api.post(WORDS, {"word": "丑"}).json()["action"] == "hide"  # the default

    for bad in ({"word": "!!! ☺"}, {"word": ""}, {"word": "x" * 31}, {"word": "ok", "action": "x"},
                {}):  # fmt: skip
        response = api.post(WORDS, bad)
        assert response.status_code == 400, bad

    body = api.get(WORDS).json()
    assert [row["word"] for row in body["results"]] == ["丑", "Link"]
    assert body["limit"] == MAX_BLOCKED_WORDS

    path = f"{WORDS}/{created['id']}"
    assert api.patch(path, {"action": "block"}).json()["action"] == "block"
    assert api.patch(path, {"word": "微信"}).json()["word"] == "微信"
    assert api.patch(path, {"word": "丑"}).status_code == 409
    assert api.patch(path, {"action": "nope"}).status_code == 400
    assert api.delete(path).status_code == 204
    assert api.delete(path).status_code == 404
    assert api.patch(f"{WORDS}/{2**40}", {"action": "hide"}).status_code == 404


def test_blocked_words_are_limited(user, api) -> None:
    BlockedWord.objects.bulk_create(
        BlockedWord(creator=user, word=f"w{i}", normalized=f"w{i}")
        for i in range(MAX_BLOCKED_WORDS)
    )
    response = api.post(WORDS, {"word": "one more"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "blocked_word.limit"


# --- trusted commenters ----------------------------------------------------------------------


def test_trusted_commenters_add_list_remove(user, api) -> None:
    friend = UserFactory()
    response = api.post(TRUSTED, {"user_id": friend.pk})
    assert response.status_code == 201
    assert response.json()["user"]["id"] == friend.pk
    assert api.post(TRUSTED, {"user_id": friend.pk}).status_code == 200  # a repeat
    assert [row["user"]["id"] for row in api.get(TRUSTED).json()["results"]] == [friend.pk]

    assert api.post(TRUSTED, {"user_id": user.pk}).json()["error"]["code"] == "trusted.self"
    assert api.post(TRUSTED, {"user_id": 2**40}).status_code == 404
    assert api.post(TRUSTED, {"user_id": "x"}).status_code == 400
    enemy = UserFactory()
    Block.objects.create(blocker=enemy, blocked=user)
    response = api.post(TRUSTED, {"user_id": enemy.pk})
    assert response.status_code == 409 and response.json()["error"]["code"] == "trusted.blocked"

    assert api.delete(f"{TRUSTED}/{friend.pk}").status_code == 204
    assert api.delete(f"{TRUSTED}/{friend.pk}").status_code == 204
    assert api.get(TRUSTED).json()["results"] == []


# --- who may comment ----------------------------------------------------------------------------


def test_who_may_comment_on_each_note(user, api, make_client) -> None:
    note = NoteFactory(author=user)
    path = f"/api/v1/creator/notes/{note.pk}/comment-settings"
    assert api.get(path).json() == {"note_id": note.pk, "who_can_comment": "everyone"}
    stranger, fan = make_client(UserFactory()), make_client(fan_of(user))
    top = Comment.objects.get(pk=_post_comment(stranger, note, "先来").json()["id"])

    assert api.put(path, {"who_can_comment": "fans"}).json()["who_can_comment"] == "fans"
    response = _post_comment(stranger, note, "路人")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "comment.fans_only"
    assert _post_comment(stranger, note, "回复", reply_to=top.pk).status_code == 403
    assert _post_comment(fan, note, "粉丝").status_code == 201

    assert api.put(path, {"who_can_comment": "nobody"}).status_code == 200
    response = _post_comment(fan, note, "粉丝")
    assert response.status_code == 403 and response.json()["error"]["code"] == "comment.closed"
    # I can always answer, and the comments already there stay.
    assert _post_comment(api, note, "作者回复", reply_to=top.pk).status_code == 201
    assert api.post(f"/api/v1/creator/comments/{top.pk}/reply", {"body": "嗯"}).status_code == 201
    assert comments_count(note) == 4

    assert api.put(path, {"who_can_comment": "friends"}).status_code == 400
    assert api.put(path, {}).status_code == 400
    assert api.get("/api/v1/creator/notes/999999999/comment-settings").status_code == 404
    other_note = NoteFactory()
    response = api.put(
        f"/api/v1/creator/notes/{other_note.pk}/comment-settings", {"who_can_comment": "nobody"}
    )
    assert response.status_code == 404
    assert Note.objects.get(pk=other_note.pk).who_can_comment == "everyone"
    assert Follow.objects.count() == 1


# --- admin ------------------------------------------------------------------------------------


def test_admin_screens_list_and_search_filters(client, user) -> None:
    from apps.accounts.models import User

    admin = User.objects.create_superuser("ops-comments", "ops@example.com", "ops-pass-2026")
    client.force_login(admin)
    blocked_word(user, "加微信", "hold")
    trust(user, UserFactory())
    note = NoteFactory(author=user)
    comment(UserFactory(), note, "加微信聊")
    for url in (
        "/admin/creators/blockedword/",
        "/admin/creators/blockedword/?q=微信&action__exact=hold",
        "/admin/creators/trustedcommenter/",
        f"/admin/creators/trustedcommenter/?q={user.username}",
        "/admin/notes/comment/?creator_state__exact=held",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert (
        b"\xe5\x8a\xa0\xe5\xbe\xae\xe4\xbf\xa1"
        in client.get("/admin/creators/blockedword/").content
    )
    assert client.get("/admin/creators/blockedword/add/").status_code == 403


def test_the_note_page_tells_who_may_comment(user, api, make_client) -> None:
    note = NoteFactory(author=user)
    reader = make_client(UserFactory())
    assert reader.get(f"/api/v1/notes/{note.pk}").json()["who_can_comment"] == "everyone"
    api.put(f"/api/v1/creator/notes/{note.pk}/comment-settings", {"who_can_comment": "fans"})
    assert reader.get(f"/api/v1/notes/{note.pk}").json()["who_can_comment"] == "fans"
