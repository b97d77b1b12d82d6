"""Likes, collects, comments and follows are recorded by the server once the write commits."""

import pytest
from django.db import transaction

from apps.accounts import services as accounts
from apps.accounts.models import Follow, Profile
from apps.analytics.kinds import EventKind
from apps.analytics.models import Event
from apps.analytics.services import server_event_enqueue
from tests.analytics.factories import make_note
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_follow_records_an_event_for_the_followed_user(
    user, other_user, django_capture_on_commit_callbacks
) -> None:
    Profile.objects.filter(user=user).update(gender="female", birth_year=1999, region="hubei")
    with django_capture_on_commit_callbacks(execute=True):
        accounts.follow_create(follower=user, followee_id=other_user.pk, source="search")
    event = Event.objects.get()
    assert (event.kind, event.actor_id, event.author_id) == ("follow", user.pk, other_user.pk)
    assert event.target_user_id == other_user.pk
    assert (event.source, event.client_event_id) == ("search", None)
    assert (event.gender, event.region) == ("female", "hubei")
    assert event.age_band != ""


def test_a_repeated_follow_records_nothing_more(
    user, other_user, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        accounts.follow_create(follower=user, followee_id=other_user.pk)
        accounts.follow_create(follower=user, followee_id=other_user.pk)
    assert Event.objects.count() == 1


def test_follow_from_a_note_names_the_note(user, django_capture_on_commit_callbacks) -> None:
    creator = UserFactory()
    note = make_note(creator)
    with django_capture_on_commit_callbacks(execute=True):
        accounts.follow_create(
            follower=user, followee_id=creator.pk, source="note", source_id=note.pk
        )
    event = Event.objects.get()
    assert (event.note_id, event.author_id, event.source_id) == (note.pk, creator.pk, note.pk)


def test_unfollow_carries_the_source_of_the_follow(
    user, other_user, django_capture_on_commit_callbacks
) -> None:
    accounts.follow_create(follower=user, followee_id=other_user.pk, source="live", source_id=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert accounts.follow_delete(follower=user, followee_id=other_user.pk)
        assert not accounts.follow_delete(follower=user, followee_id=other_user.pk)
    event = Event.objects.get()
    assert (event.kind, event.source, event.source_id) == ("unfollow", "live", 31)
    assert event.author_id == other_user.pk


def test_note_events_count_for_the_note_author(user, django_capture_on_commit_callbacks) -> None:
    creator = UserFactory()
    note = make_note(creator)
    with django_capture_on_commit_callbacks(execute=True):
        server_event_enqueue(kind=EventKind.LIKE, actor_id=user.pk, note_id=note.pk, source="feed")
        server_event_enqueue(
            kind=EventKind.COMMENT, actor_id=user.pk, note_id=note.pk, properties={"comment_id": 5}
        )
    rows = list(Event.objects.order_by("id").values_list("kind", "note_id", "author_id"))
    assert rows == [("like", note.pk, creator.pk), ("comment", note.pk, creator.pk)]
    assert Event.objects.get(kind="comment").properties == {"comment_id": 5}


def test_likes_and_comments_through_the_notes_services(
    user, django_capture_on_commit_callbacks
) -> None:
    from apps.notes import services as notes

    creator = UserFactory()
    note = make_note(creator)
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_like(user=user, note_id=note.pk, source="feed")
        notes.note_like(user=user, note_id=note.pk, source="feed")  # a repeat: no new event
        comment = notes.comment_create(author=user, note_id=note.pk, body="好看！")
        notes.note_unlike(user=user, note_id=note.pk)
    rows = list(Event.objects.order_by("id").values_list("kind", "author_id", "source"))
    assert rows == [
        ("like", creator.pk, "feed"),
        ("comment", creator.pk, ""),
        ("unlike", creator.pk, ""),
    ]
    assert Event.objects.get(kind="comment").properties["comment_id"] == comment.pk


def test_nothing_is_recorded_before_the_commit(
    user, other_user, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accounts.follow_create(follower=user, followee_id=other_user.pk)
        assert not Event.objects.exists()
    assert len(callbacks) == 1


def test_client_kinds_and_unknown_sources_are_programming_errors(user) -> None:
    with pytest.raises(ValueError):
        server_event_enqueue(kind=EventKind.IMPRESSION, actor_id=user.pk, note_id=1)
    with pytest.raises(ValueError):
        server_event_enqueue(kind=EventKind.LIKE, actor_id=user.pk, note_id=1, source="moon")


@pytest.mark.django_db(transaction=True)
def test_committed_writes_are_recorded_and_rolled_back_ones_are_not() -> None:
    fan, creator, other = UserFactory(), UserFactory(), UserFactory()
    accounts.follow_create(follower=fan, followee_id=creator.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        accounts.follow_create(follower=fan, followee_id=other.pk)
        raise RuntimeError("the request failed after the follow")
    assert not Follow.objects.filter(followee=other).exists()
    assert list(Event.objects.values_list("kind", "author_id")) == [("follow", creator.pk)]
