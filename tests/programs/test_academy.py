"""Public classes (atomic waitlist, check-in), lesson progress and listening sessions."""

import pytest
from django.db import connection

from apps.core.errors import Conflict, Forbidden, NotFound
from apps.notifications.models import Notification
from apps.programs import services
from apps.programs.models import (
    ClassRegistration,
    Course,
    Lesson,
    ListeningSession,
    ListeningTopic,
    RegistrationStatus,
    TopicVote,
)
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.programs.factories import program_operator, public_class, registration


def _statuses(public_class) -> list[tuple[int, str]]:
    return list(
        ClassRegistration.objects.filter(public_class=public_class)
        .order_by("pk")
        .values_list("user_id", "status")
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_threads_for_ten_seats_then_five_cancellations() -> None:
    """10 registered, 20 waitlisted in arrival order; 5 cancellations promote exactly the next 5."""
    seats = public_class(capacity=10)
    users = [UserFactory() for _ in range(30)]
    results = run_concurrently(
        [lambda user=user: services.class_register(class_id=seats.pk, user=user) for user in users]
    )
    assert all(isinstance(result, ClassRegistration) for result in results), results
    rows = list(ClassRegistration.objects.filter(public_class=seats).order_by("pk"))
    assert [row.status for row in rows] == ["registered"] * 10 + ["waitlisted"] * 20
    # Arrival order is the lock order: ids grow with it, and each status was decided under the
    # class row's lock, so the first 10 to arrive hold the seats.
    registered = [row for row in rows if row.status == RegistrationStatus.REGISTERED]
    waitlist = [row for row in rows if row.status == RegistrationStatus.WAITLISTED]
    assert max(row.pk for row in registered) < min(row.pk for row in waitlist)
    assert len({row.checkin_code for row in registered}) == 10
    assert all(row.checkin_code == "" for row in waitlist)

    leaving = registered[:5]
    results = run_concurrently(
        [
            lambda row=row: services.registration_cancel(registration_id=row.pk, user=row.user)
            for row in leaving
        ]
    )
    assert all(isinstance(result, ClassRegistration) for result in results), results
    after = {row.pk: row.status for row in ClassRegistration.objects.filter(public_class=seats)}
    assert [after[row.pk] for row in waitlist[:5]] == ["registered"] * 5
    assert [after[row.pk] for row in waitlist[5:]] == ["waitlisted"] * 15
    assert [after[row.pk] for row in leaving] == ["cancelled"] * 5
    assert list(after.values()).count("registered") == 10
    promoted = Notification.objects.filter(kind="academy.class_promoted")
    assert sorted(promoted.values_list("recipient_id", flat=True)) == sorted(
        row.user_id for row in waitlist[:5]
    )


@pytest.mark.django_db
def test_registering_twice_or_after_the_start_is_refused() -> None:
    seats, user = public_class(capacity=1), UserFactory()
    registration(seats, user)
    with pytest.raises(Conflict) as refused:
        registration(seats, user)
    assert refused.value.code == "class.already_registered"
    seats.starts_at = seats.created_at
    seats.save()
    with pytest.raises(Conflict) as refused:
        registration(seats)
    assert refused.value.code == "class.closed"


@pytest.mark.django_db
def test_cancelling_a_waitlist_place_promotes_nobody(django_capture_on_commit_callbacks) -> None:
    seats = public_class(capacity=1)
    holder, waiting, later = registration(seats), registration(seats), registration(seats)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration_id=waiting.pk, user=waiting.user)
    assert [status for _, status in _statuses(seats)] == ["registered", "cancelled", "waitlisted"]
    with pytest.raises(NotFound):
        services.registration_cancel(registration_id=later.pk, user=holder.user)
    assert not Notification.objects.filter(kind="academy.class_promoted").exists()


@pytest.mark.django_db
def test_check_in_code_admits_once_and_only_hosts_check_in() -> None:
    seats = public_class(capacity=2)
    seat, host = registration(seats), UserFactory(is_staff=True)
    with pytest.raises(Forbidden):
        services.class_check_in(class_id=seats.pk, code=seat.checkin_code, operator=seat.user)
    with pytest.raises(NotFound):
        services.class_check_in(class_id=seats.pk, code="WRONG123", operator=host)
    checked = services.class_check_in(
        class_id=seats.pk, code=seat.checkin_code.lower(), operator=host
    )
    assert checked.checked_in_at is not None
    with pytest.raises(Conflict) as refused:
        services.class_check_in(class_id=seats.pk, code=seat.checkin_code, operator=host)
    assert refused.value.code == "class.code_used"


@pytest.mark.django_db
def test_lesson_progress_once_and_only_in_published_courses() -> None:
    user = UserFactory()
    course = Course.objects.create(title="笔记写作", is_published=True)
    hidden = Course.objects.create(title="草稿课程")
    lesson = Lesson.objects.create(course=course, title="标题", kind="text", body="...")
    draft = Lesson.objects.create(course=hidden, title="x", kind="text")
    first = services.lesson_complete(lesson_id=lesson.pk, user=user)
    again = services.lesson_complete(lesson_id=lesson.pk, user=user)
    assert first.pk == again.pk and first.completed_at == again.completed_at
    with pytest.raises(NotFound):
        services.lesson_complete(lesson_id=draft.pk, user=user)


@pytest.mark.django_db
def test_listening_topics_votes_once_picked_answered_and_notified(
    django_capture_on_commit_callbacks,
) -> None:
    author, voter, operator = UserFactory(), UserFactory(), program_operator()
    topic = services.topic_propose(user=author, title="如何涨粉", body="新人怎么起号")
    services.topic_upvote(topic_id=topic.pk, user=voter)
    with pytest.raises(Conflict) as refused:
        services.topic_upvote(topic_id=topic.pk, user=voter)
    assert refused.value.code == "topic.already_voted"
    assert ListeningTopic.objects.get(pk=topic.pk).votes == 1
    session = ListeningSession.objects.create(title="十二月倾听会", held_on="2026-12-15")
    with pytest.raises(Forbidden):
        services.topics_pick(session_id=session.pk, topic_ids=[topic.pk], operator=voter)
    assert services.topics_pick(session_id=session.pk, topic_ids=[topic.pk], operator=operator) == 1
    services.topic_respond(topic_id=topic.pk, response="坚持垂直内容", operator=operator)
    with django_capture_on_commit_callbacks(execute=True):
        services.session_publish(session_id=session.pk, operator=operator)
    topic.refresh_from_db()
    assert topic.status == "answered"
    assert Notification.objects.get(recipient=author).kind == "listening.topic_answered"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_upvotes_each_count_once() -> None:
    topic = services.topic_propose(user=UserFactory(), title="直播技巧")
    voters = [UserFactory() for _ in range(10)]
    actions = [
        lambda voter=voter: services.topic_upvote(topic_id=topic.pk, user=voter)
        for voter in voters + voters[:5]
    ]
    results = run_concurrently(actions)
    refused = [result for result in results if isinstance(result, Conflict)]
    assert len(refused) == 5
    assert ListeningTopic.objects.get(pk=topic.pk).votes == 10 == TopicVote.objects.count()
    assert connection.vendor == "postgresql"
