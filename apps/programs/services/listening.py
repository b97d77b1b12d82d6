"""Listening sessions: creators propose topics and upvote them; operators pick and answer.

Topics are screened like notes (they are public). An upvote is one row per (topic, user) and a
counter changed with ``F()`` in the same transaction: once each, concurrent votes all count.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.moderation.screening import Surface, ensure_can_post, screen_text
from apps.notifications.services import notification_send
from apps.programs.models import (
    ListeningSession,
    ListeningTopic,
    SessionStatus,
    TopicStatus,
    TopicVote,
)


def topic_propose(*, user: User, title: str, body: str = "") -> ListeningTopic:
    """Propose a topic for a coming session (screened: a blocked text is refused)."""
    ensure_can_post(user)
    screened_title = screen_text(surface=Surface.PROGRAMS, text=title)
    screened_title.raise_if_blocked()
    screened_body = screen_text(surface=Surface.PROGRAMS, text=body) if body else None
    if screened_body is not None:
        screened_body.raise_if_blocked()
    if screened_title.needs_review or (screened_body is not None and screened_body.needs_review):
        raise InvalidInput(
            "This topic needs rewording before it can be shown.", code="topic.needs_review"
        )
    return ListeningTopic.objects.create(
        author=user,
        title=screened_title.text,
        body=screened_body.text if screened_body is not None else "",
    )


def topic_upvote(*, topic_id: int, user: User) -> ListeningTopic:
    """One upvote per user and topic (409 ``topic.already_voted`` on a second)."""
    with transaction.atomic(durable=not transaction.get_connection().in_atomic_block):
        if not ListeningTopic.objects.filter(pk=topic_id).exists():
            raise NotFound("Topic not found.", code="topic.not_found")
        try:
            with transaction.atomic():
                TopicVote.objects.create(topic_id=topic_id, user=user)
        except IntegrityError:
            raise Conflict("You already upvoted this topic.", code="topic.already_voted") from None
        ListeningTopic.objects.filter(pk=topic_id).update(votes=F("votes") + 1)
    return ListeningTopic.objects.get(pk=topic_id)


def _check_operator(operator: User) -> None:
    if not (
        operator.is_active
        and operator.is_staff
        and operator.has_perm("programs.change_listeningsession")
    ):
        raise Forbidden("Only operators run listening sessions.", code="listening.not_operator")


def topics_pick(*, session_id: int, topic_ids: list[int], operator: User) -> int:
    """Put proposed topics on a planned session's agenda."""
    _check_operator(operator)
    with transaction.atomic():
        session = ListeningSession.objects.select_for_update().get(pk=session_id)
        if session.status != SessionStatus.PLANNED:
            raise Conflict("This session is already published.", code="listening.published")
        return ListeningTopic.objects.filter(pk__in=topic_ids, status=TopicStatus.PROPOSED).update(
            session=session, status=TopicStatus.PICKED
        )


def topic_respond(*, topic_id: int, response: str, operator: User) -> ListeningTopic:
    """Write the answer to a picked topic (shown when the session is published)."""
    _check_operator(operator)
    if not response.strip():
        raise InvalidInput("A response is required.", code="listening.response_required")
    with transaction.atomic():
        topic = ListeningTopic.objects.select_for_update().get(pk=topic_id)
        if topic.status == TopicStatus.PROPOSED:
            raise Conflict("Pick the topic for a session first.", code="listening.not_picked")
        topic.response = response.strip()
        topic.save(update_fields=["response"])
    return topic


def session_publish(
    *, session_id: int, operator: User, now: datetime | None = None
) -> ListeningSession:
    """Publish a session's responses; each answered topic's author is notified."""
    _check_operator(operator)
    now = now or timezone.now()
    with transaction.atomic():
        session = ListeningSession.objects.select_for_update().get(pk=session_id)
        if session.status == SessionStatus.PUBLISHED:
            raise Conflict("This session is already published.", code="listening.published")
        answered = list(
            ListeningTopic.objects.select_for_update()
            .filter(session=session, status=TopicStatus.PICKED)
            .exclude(response="")
        )
        for topic in answered:
            topic.status = TopicStatus.ANSWERED
            topic.responded_at = now
            notification_send(
                recipient_id=topic.author_id,
                kind="listening.topic_answered",
                payload={"topic_id": topic.pk, "session_id": session.pk, "title": topic.title},
            )
        ListeningTopic.objects.bulk_update(answered, ["status", "responded_at"])
        session.status = SessionStatus.PUBLISHED
        session.save(update_fields=["status"])
    return session
