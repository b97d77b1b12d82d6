"""What a chat message reads is kept per process, and every change that matters drops it.

``apps.live.speakers`` keeps the speaker's context and the host's words under the room's chat
version in Redis. Each test lets a user write once (so the process keeps their context), changes
something the way moderators, hosts, the admin or the user do, and checks that the very next
message obeys it. Transactional: the bumps on commit run as in production.
"""

import asyncio
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Follow
from apps.core.errors import DomainError
from apps.live import services
from apps.live.models import ChatMessage, MessageVisibility, Room, Sanction, SanctionKind
from apps.live.outbox import Outbox
from tests.factories import FollowFactory, UserFactory
from tests.live.conftest import make_room

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]


def post(room: Room, user, text: str = "hello"):
    return services.chat_message_post(room_id=room.pk, user=user, text=text)


def refused(room: Room, user, text: str = "hello") -> str:
    with pytest.raises(DomainError) as caught:
        post(room, user, text)
    return caught.value.code


def test_an_allowed_message_reads_only_strikes_and_inserts(live_room) -> None:
    viewer = UserFactory()
    post(live_room, viewer, "first")  # loads the context and the words
    with CaptureQueriesContext(connection) as queries:
        posted = post(live_room, viewer, "second")
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements == ["SELECT", "INSERT"], queries.captured_queries
    assert "moderation_strike" in queries.captured_queries[0]["sql"]
    assert posted.message.visibility == MessageVisibility.VISIBLE


def test_a_ban_and_a_timeout_take_effect_for_the_next_message(live_room, host) -> None:
    banned, timed_out = UserFactory(), UserFactory()
    post(live_room, banned)
    post(live_room, timed_out)
    services.sanction_add(room=live_room, by=host, user_id=banned.pk, kind=SanctionKind.BAN)
    services.sanction_add(
        room=live_room, by=host, user_id=timed_out.pk, kind=SanctionKind.TIMEOUT, seconds=60
    )
    assert refused(live_room, banned) == "chat.banned"
    assert refused(live_room, timed_out) == "chat.timed_out"
    services.sanction_lift(room=live_room, user_id=timed_out.pk)
    post(live_room, timed_out, "free again")


def test_a_row_written_outside_the_services_counts_too(live_room, host) -> None:
    """The admin saves models directly: the signals bump the version all the same."""
    viewer = UserFactory()
    post(live_room, viewer)
    Sanction.objects.create(room=live_room, user=viewer, kind=SanctionKind.BAN, by=host)
    assert refused(live_room, viewer) == "chat.banned"


def test_an_expired_timeout_kept_in_the_cache_no_longer_refuses(live_room, host) -> None:
    viewer = UserFactory()
    post(live_room, viewer)
    services.sanction_add(
        room=live_room, by=host, user_id=viewer.pk, kind=SanctionKind.TIMEOUT, seconds=1
    )
    assert refused(live_room, viewer) == "chat.timed_out"
    past = timezone.now() - timedelta(seconds=1)
    Sanction.objects.filter(room=live_room, user=viewer).update(until=past)  # no signal
    post(live_room, viewer, "after the timeout")


def test_modes_and_the_room_status_apply_to_the_next_message(live_room, host) -> None:
    viewer, allowed = UserFactory(), UserFactory()
    post(live_room, viewer)
    post(live_room, allowed)
    services.allowed_speaker_add(room=live_room, user_id=allowed.pk)
    services.chat_settings_update(room=live_room, allow_list_only=True)
    assert refused(live_room, viewer) == "chat.allow_list_only"
    post(live_room, allowed)
    services.allowed_speaker_remove(room=live_room, user_id=allowed.pk)
    assert refused(live_room, allowed) == "chat.allow_list_only"
    services.room_end(room_id=live_room.pk, by="host")
    assert refused(live_room, allowed) == "room.not_live"


def test_a_removed_moderator_loses_the_pass_in_every_room_of_the_host(host) -> None:
    room = make_room(host, allow_list_only=True)
    moderator = UserFactory()
    appointment = services.moderator_add(host=host, user_id=moderator.pk, room=None)
    post(room, moderator)
    services.moderator_remove(host=host, moderator_id=appointment.pk)
    assert refused(room, moderator) == "chat.allow_list_only"


def test_an_unfollow_closes_a_followers_only_room_and_a_follow_opens_it(host) -> None:
    room = make_room(host, followers_only_minutes=10)
    fan, newcomer = UserFactory(), UserFactory()
    FollowFactory(follower=fan, followee=host, created_at=timezone.now() - timedelta(hours=1))
    post(room, fan)
    assert refused(room, newcomer) == "chat.followers_only"
    Follow.objects.filter(follower=fan, followee=host).delete()
    assert refused(room, fan) == "chat.followers_only"
    # A follow gives the right: a refusal is always checked against the database.
    FollowFactory(follower=newcomer, followee=host, created_at=timezone.now() - timedelta(hours=1))
    post(room, newcomer)


def test_the_hosts_words_apply_to_the_next_message(live_room, host) -> None:
    viewer = UserFactory()
    post(live_room, viewer, "a spoiler here")
    word = services.blocked_word_add(host=host, word="spoiler", action="block")
    assert refused(live_room, viewer, "a spoiler here") == "chat.blocked_word"
    services.blocked_word_remove(host=host, word_id=word.pk)
    post(live_room, viewer, "a spoiler again")
    assert ChatMessage.objects.filter(text="a spoiler again").exists()


def test_a_lost_version_is_bounded_by_the_max_age(live_room, host, settings) -> None:
    """Entries expire even when the version never moved (a change behind every signal)."""
    settings.LIVE_SPEAKER_CACHE_SECONDS = 0
    viewer = UserFactory()
    post(live_room, viewer)
    Room.objects.filter(pk=live_room.pk).update(allow_list_only=True)  # no signal
    assert refused(live_room, viewer) == "chat.allow_list_only"


def test_a_slow_socket_keeps_its_backlog_bounded_and_does_not_hold_the_others() -> None:
    """Two outboxes written by one pass: one socket's write blocks, the other's goes on."""

    async def scenario() -> None:
        gate = asyncio.Event()
        slow_written: list[str] = []
        fast_written: list[str] = []

        async def slow_write(message: dict) -> None:
            await gate.wait()
            slow_written.append(message["text"])

        async def fast_write(message: dict) -> None:
            fast_written.append(message["text"])

        slow, fast = Outbox(slow_write, limit=3), Outbox(fast_write, limit=3)
        kept = []
        for n in range(6):
            message = {"text": f"m{n}"}
            kept.append(slow.put(message))
            fast.put(message)
        assert fast_written == [f"m{n}" for n in range(6)]  # written at once, in order
        # The first is being written; three wait; the last two found the outbox full.
        assert kept == [True, True, True, True, False, False]
        assert slow.put({"text": "ban"}, droppable=False)  # system events are never dropped
        gate.set()
        await asyncio.sleep(0.05)
        assert slow_written == ["m0", "m1", "m2", "m3", "ban"]

    asyncio.run(scenario())
