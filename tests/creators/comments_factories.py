"""Helpers for the comment-management tests: creators with notes and comments made through the
notes services (so every counter is the one the services keep)."""

from apps.accounts.models import Follow, User
from apps.creators.models import BlockedWord, TrustedCommenter
from apps.moderation.normalize import normalize
from apps.notes.models import Comment, Note
from apps.notes.services import comment_create, note_counters_rebuild
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory


def comment(author: User, note: Note, body: str = "好看", reply_to: Comment | None = None):
    return comment_create(
        author=author,
        note_id=note.pk,
        body=body,
        reply_to_id=reply_to.pk if reply_to else None,
    )


def fan_of(creator: User) -> User:
    fan = UserFactory()
    Follow.objects.create(follower=fan, followee=creator)
    return fan


def blocked_word(creator: User, word: str, action: str = "hide") -> BlockedWord:
    return BlockedWord.objects.create(
        creator=creator, word=word, normalized=normalize(word), action=action
    )


def trust(creator: User, user: User) -> TrustedCommenter:
    return TrustedCommenter.objects.create(creator=creator, user=user)


def comments_count(note: Note) -> int:
    return Note.objects.get(pk=note.pk).comments_count


def replies_count(top: Comment) -> int:
    return Comment.objects.get(pk=top.pk).replies_count


def counters_snapshot() -> tuple:
    """Every comment counter, to compare what the services kept with a rebuild from rows."""
    return (
        sorted(Note.objects.values_list("id", "comments_count", "rank")),
        sorted(Comment.objects.values_list("id", "replies_count", "likes_count")),
    )


def assert_counters_exact() -> None:
    kept = counters_snapshot()
    note_counters_rebuild()
    assert counters_snapshot() == kept


def victim_with_comments(victim: User) -> dict:
    """A creator with two notes, comments in every state, a pin, blocked words, a trusted user.

    Returns the objects by name, for the object-permission walk and the API tests.
    """
    notes = [NoteFactory(author=victim), NoteFactory(author=victim)]
    fan, stranger, troll = fan_of(victim), UserFactory(), UserFactory()
    blocked_word(victim, "加微信", "hold")
    blocked_word(victim, "丑", "hide")
    trust(victim, fan)
    visible = comment(stranger, notes[0], "真好看")
    pinned = comment(fan, notes[0], "第一")
    reply = comment(fan, notes[0], "同意", reply_to=visible)
    held = comment(troll, notes[1], "加微信聊")
    hidden = comment(troll, notes[1], "好丑")
    Comment.objects.filter(pk=pinned.pk).update(pinned_at=pinned.created_at)
    return {
        "notes": notes,
        "fan": fan,
        "stranger": stranger,
        "troll": troll,
        "visible": visible,
        "pinned": pinned,
        "reply": reply,
        "held": held,
        "hidden": hidden,
        "words": list(BlockedWord.objects.filter(creator=victim)),
    }


def victim_state(victim: User) -> tuple:
    """Everything an attacker must not change about the victim's comments and filters."""
    return (
        sorted(
            Comment.objects.filter(note_author=victim).values_list(
                "id", "status", "creator_state", "pinned_at", "creator_replied_at"
            )
        ),
        sorted(Comment.objects.filter(note_author=victim, parent__isnull=False).values_list("id")),
        sorted(BlockedWord.objects.filter(creator=victim).values_list("id", "word", "action")),
        sorted(TrustedCommenter.objects.filter(creator=victim).values_list("user_id")),
        sorted(Note.objects.filter(author=victim).values_list("id", "who_can_comment")),
        counters_snapshot(),
    )
