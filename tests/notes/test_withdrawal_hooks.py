"""notes' withdrawal listeners, with a fake registrant: called once a change commits that makes
a note others could see invisible, with the reason, and never for other changes."""

import pytest

from apps.moderation.targets import Visibility
from apps.notes import hooks, services
from tests.notes.factories import NoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls: list[hooks.NoteWithdrawal] = []
    with hooks.note_withdrawal_listeners.registered("test.listener", calls.append):
        yield calls


def _note():
    note = NoteFactory()
    note.author.profile.__class__.objects.filter(user=note.author).update(notes_count=1)
    return note


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda n: services.note_delete(note_id=n.pk, actor=n.author), "deleted"),
        (
            lambda n: services.note_update(note_id=n.pk, actor=n.author, visibility="private"),
            "private",
        ),
        (lambda n: services.note_moderation_set(note=n, visibility=Visibility.HIDDEN), "hidden"),
        (lambda n: services.note_moderation_set(note=n, visibility=Visibility.REVIEW), "review"),
    ],
)
def test_listeners_hear_a_withdrawal_after_the_commit(
    heard, change, reason: str, django_capture_on_commit_callbacks
) -> None:
    note = _note()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change(note)
    assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert heard == [hooks.NoteWithdrawal(note_id=note.pk, author_id=note.author_id, reason=reason)]


def test_no_call_for_changes_that_keep_the_note_visible_or_already_hidden(
    heard, django_capture_on_commit_callbacks
) -> None:
    note = _note()
    with django_capture_on_commit_callbacks(execute=True):
        services.note_update(note_id=note.pk, actor=note.author, title="新标题")
        services.note_moderation_set(note=note, visibility=Visibility.HIDDEN)
        services.note_update(note_id=note.pk, actor=note.author, visibility="private")
    assert [call.reason for call in heard] == ["hidden"]


def test_a_failing_listener_does_not_undo_the_change(django_capture_on_commit_callbacks) -> None:
    def broken(withdrawal: hooks.NoteWithdrawal) -> None:
        raise RuntimeError("listener down")

    note = _note()
    with (
        hooks.note_withdrawal_listeners.registered("test.broken", broken),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.note_delete(note_id=note.pk, actor=note.author)
    note.refresh_from_db()
    assert note.status == "deleted"
