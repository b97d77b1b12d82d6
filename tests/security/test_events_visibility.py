"""Finding 3: client events about notes the sender cannot see are refused like missing notes."""

import pytest

from apps.analytics.models import Event
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes.models import NoteStatus, NoteVisibility
from tests.analytics.factories import client_event, make_note
from tests.factories import BlockFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"


def _post(client, events: list):
    response = client.post(URL, {"events": events}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def creator(db):
    return UserFactory()


HIDDEN_STATES = {
    "draft": {"status": NoteStatus.DRAFT, "published_at": None},
    "private": {"visibility": NoteVisibility.PRIVATE},
    "deleted": {"status": NoteStatus.DELETED},
    "held_by_moderation": {"moderation": ModerationVisibility.HIDDEN},
}


@pytest.mark.parametrize("state", sorted(HIDDEN_STATES))
def test_an_event_on_a_note_the_sender_cannot_see_answers_like_a_missing_note(
    api, creator, state
) -> None:
    hidden = make_note(creator, **HIDDEN_STATES[state])
    visible = make_note(creator)
    missing_id = visible.pk + 10_000
    body = _post(
        api,
        [
            client_event("view", note_id=hidden.pk),
            client_event("view", note_id=missing_id),
            client_event("view", note_id=visible.pk),
        ],
    )
    assert (body["stored"], body["rejected"]) == (1, 2)
    by_index = {error["index"]: error for error in body["errors"]}
    hidden_error, missing_error = by_index[0], by_index[1]
    # Same code, message and fields: a probe cannot tell a hidden note from a missing one.
    for key in ("code", "message", "fields"):
        assert hidden_error[key] == missing_error[key]
    assert hidden_error["code"] == "note.not_found"
    assert list(Event.objects.values_list("note_id", flat=True)) == [visible.pk]


@pytest.mark.parametrize("direction", ["viewer_blocked_author", "author_blocked_viewer"])
def test_an_event_across_a_block_is_refused(user, api, creator, direction) -> None:
    note = make_note(creator)
    if direction == "viewer_blocked_author":
        BlockFactory(blocker=user, blocked=creator)
    else:
        BlockFactory(blocker=creator, blocked=user)
    body = _post(api, [client_event("impression", note_id=note.pk)])
    assert (body["stored"], body["rejected"]) == (0, 1)
    assert body["errors"][0]["code"] == "note.not_found"
    assert not Event.objects.exists()


@pytest.mark.parametrize("state", ["draft", "private"])
def test_the_author_may_send_events_on_their_own_unpublished_notes(user, api, state) -> None:
    own = make_note(user, **HIDDEN_STATES[state])
    body = _post(api, [client_event("view", note_id=own.pk)])
    assert (body["stored"], body["rejected"]) == (1, 0), body


def test_the_author_cannot_send_events_on_their_own_deleted_note(user, api) -> None:
    own = make_note(user, **HIDDEN_STATES["deleted"])
    body = _post(api, [client_event("view", note_id=own.pk)])
    assert (body["stored"], body["rejected"]) == (0, 1)


def test_a_batch_checks_visibility_in_a_constant_number_of_queries(
    user, api, creator, count_queries
) -> None:
    """1 and 50 events over notes in every state (and a block) cost the same queries."""
    blocker = UserFactory()
    BlockFactory(blocker=blocker, blocked=user)

    def batch(size: int) -> list[dict]:
        events = []
        for index in range(size):
            state = sorted(HIDDEN_STATES)[index % len(HIDDEN_STATES)]
            author = (creator, blocker)[index % 2]
            note = make_note(author, **(HIDDEN_STATES[state] if index % 3 else {}))
            events.append(client_event("impression", note_id=note.pk))
        return events

    small, large = batch(1), batch(50)
    small_queries = count_queries(lambda: _post(api, small))
    large_queries = count_queries(lambda: _post(api, large))
    assert small_queries == large_queries
    visible = {e["note_id"] for e in small + large}
    stored = set(Event.objects.values_list("note_id", flat=True))
    assert stored < visible and stored
