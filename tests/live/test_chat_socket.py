"""The room socket through Channels' WebsocketCommunicator on the Redis pub/sub layer.

Each test drives real sockets (the project's JWT stack, the live consumer, Redis for the layer
and the shared state) and checks what each participant receives and what was stored.
"""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from apps.analytics.kinds import EventKind
from apps.analytics.models import Event
from apps.live import services
from apps.live.consumers import BANNED, ROOM_CLOSED
from apps.live.models import ChatMessage, MessageVisibility, Room, SanctionKind
from apps.moderation import services as moderation_services
from tests.factories import FollowFactory, UserFactory
from tests.live.conftest import make_room
from tests.live.sockets import Socket, chat_from, error

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),  # consumers read in worker threads
]


def run(scenario) -> None:
    async_to_sync(scenario)()


def test_a_message_reaches_every_socket_and_anonymous_sockets_only_read(live_room) -> None:
    writer, reader = UserFactory(), UserFactory()

    async def scenario() -> None:
        a, b, anonymous = (
            Socket(live_room.pk, writer),
            Socket(live_room.pk, reader),
            Socket(live_room.pk),
        )
        welcome = await a.open()
        assert welcome["type"] == "welcome" and welcome["user_id"] == writer.pk
        await b.open()
        assert (await anonymous.open())["user_id"] is None
        await a.chat("hello room")
        for socket in (a, b, anonymous):
            frame = await socket.wait_for(chat_from(writer, "hello room"))
            assert frame["user"]["username"] == writer.username
        await anonymous.chat("let me in")
        await anonymous.wait_for(error("chat.sign_in_required"))
        await anonymous.send({"type": "like"})
        await anonymous.wait_for(error("chat.sign_in_required"))
        for socket in (a, b, anonymous):
            await socket.close()

    run(scenario)
    assert list(ChatMessage.objects.values_list("text", flat=True)) == ["hello room"]
    assert Event.objects.filter(kind=EventKind.LIVE_CHAT, source_id=live_room.pk).count() == 1


def test_a_closed_or_missing_room_refuses_the_socket(host) -> None:
    ended = make_room(host)
    services.room_end(room_id=ended.pk, by="host")

    async def scenario() -> None:
        for room_id in (ended.pk, ended.pk + 1000):
            socket = Socket(room_id, host)
            assert await socket.open() == {"type": "closed", "code": ROOM_CLOSED}

    run(scenario)


def test_slow_mode_lets_one_message_through_per_interval(host) -> None:
    room = make_room(host, slow_mode_seconds=60)
    viewer = UserFactory()

    async def scenario() -> None:
        socket, host_socket = Socket(room.pk, viewer), Socket(room.pk, host)
        await socket.open()
        await host_socket.open()
        await socket.chat("first")
        await socket.wait_for(chat_from(viewer, "first"))
        await socket.chat("second")
        refused = await socket.wait_for(error("chat.slow_mode"))
        assert float(refused["fields"]["retry_after"][0]) > 0
        # The host is not held by slow mode.
        for text in ("one", "two"):
            await host_socket.chat(text)
            await host_socket.wait_for(chat_from(host, text))
        await socket.close()
        await host_socket.close()

    run(scenario)
    assert set(ChatMessage.objects.values_list("text", flat=True)) == {"first", "one", "two"}


def test_followers_only_needs_a_follow_old_enough(host) -> None:
    room = make_room(host, followers_only_minutes=10)
    stranger, new_fan, old_fan = UserFactory(), UserFactory(), UserFactory()
    FollowFactory(follower=new_fan, followee=host, created_at=timezone.now() - timedelta(minutes=3))
    FollowFactory(follower=old_fan, followee=host, created_at=timezone.now() - timedelta(hours=1))

    async def scenario() -> None:
        for user in (stranger, new_fan):
            socket = Socket(room.pk, user)
            await socket.open()
            await socket.chat("hi")
            await socket.wait_for(error("chat.followers_only"))
            await socket.close()
        socket = Socket(room.pk, old_fan)
        await socket.open()
        await socket.chat("long-time fan")
        await socket.wait_for(chat_from(old_fan, "long-time fan"))
        await socket.close()

    run(scenario)
    assert list(ChatMessage.objects.values_list("author_id", flat=True)) == [old_fan.pk]


def test_allow_list_only_lets_the_host_moderators_and_allowed_users_write(host) -> None:
    room = make_room(host, allow_list_only=True)
    stranger, allowed, moderator = UserFactory(), UserFactory(), UserFactory()
    services.allowed_speaker_add(room=room, user_id=allowed.pk)
    services.moderator_add(host=host, user_id=moderator.pk, room=None)  # all the host's rooms

    async def scenario() -> None:
        socket = Socket(room.pk, stranger)
        await socket.open()
        await socket.chat("raid!")
        await socket.wait_for(error("chat.allow_list_only"))
        await socket.close()
        for user in (allowed, moderator, host):
            socket = Socket(room.pk, user)
            await socket.open()
            await socket.chat(f"from {user.pk}")
            await socket.wait_for(chat_from(user, f"from {user.pk}"))
            await socket.close()

    run(scenario)
    authors = set(ChatMessage.objects.values_list("author_id", flat=True))
    assert authors == {allowed.pk, moderator.pk, host.pk}


def test_timeout_stops_writing_until_it_expires_and_holds_after_reconnect(live_room, host) -> None:
    viewer = UserFactory()

    async def scenario() -> None:
        socket = Socket(live_room.pk, viewer)
        await socket.open()
        await socket.chat("before")
        await socket.wait_for(chat_from(viewer, "before"))
        await database_sync_to_async(services.sanction_add)(
            room=live_room, by=host, user_id=viewer.pk, kind=SanctionKind.TIMEOUT, seconds=600
        )
        notice = await socket.wait_for(lambda f: f.get("event") == "user_timed_out")
        assert notice["user_id"] == viewer.pk
        await socket.chat("during")
        await socket.wait_for(error("chat.timed_out"))
        await socket.close()
        again = Socket(live_room.pk, viewer)
        await again.open()  # a timeout does not keep a viewer out
        await again.chat("after reconnect")
        await again.wait_for(error("chat.timed_out"))
        await again.close()

    run(scenario)
    assert list(ChatMessage.objects.values_list("text", flat=True)) == ["before"]


def test_a_ban_closes_the_socket_and_refuses_reconnects(live_room, host) -> None:
    viewer, bystander = UserFactory(), UserFactory()

    async def scenario() -> None:
        socket, other = Socket(live_room.pk, viewer), Socket(live_room.pk, bystander)
        await socket.open()
        await other.open()
        await database_sync_to_async(services.sanction_add)(
            room=live_room, by=host, user_id=viewer.pk, kind=SanctionKind.BAN
        )
        closed = await socket.wait_for(lambda f: f["type"] == "closed")
        assert closed["code"] == BANNED
        await other.wait_for(lambda f: f.get("event") == "user_banned")
        assert other.closed is None  # only the banned user's socket closes
        again = Socket(live_room.pk, viewer)
        assert await again.open() == {"type": "closed", "code": BANNED}
        await other.close()

    run(scenario)


def test_screening_blocks_and_masks_and_the_hosts_words_apply(live_room, host) -> None:
    moderation_services.keyword_rule_create(
        term="forbiddenword", category="abuse", action="block", surfaces=["live_chat"]
    )
    moderation_services.keyword_rule_create(
        term="rudeword", category="abuse", action="mask", surfaces=["live_chat"]
    )
    services.blocked_word_add(host=host, word="spoiler", action="mask")
    services.blocked_word_add(host=host, word="competitor", action="block")
    viewer = UserFactory()

    async def scenario() -> None:
        socket = Socket(live_room.pk, viewer)
        await socket.open()
        await socket.chat("this has forbiddenword in it")
        await socket.wait_for(error("moderation.blocked"))
        await socket.chat("buy at competitor instead")
        await socket.wait_for(error("chat.blocked_word"))
        await socket.chat("a rudeword and a spoiler")
        frame = await socket.wait_for(chat_from(viewer))
        assert frame["text"] == "a ******** and a *******"
        await socket.close()

    run(scenario)
    assert list(ChatMessage.objects.values_list("text", flat=True)) == ["a ******** and a *******"]


def test_the_rate_limit_refuses_a_flood(live_room, settings) -> None:
    settings.LIVE_CHAT_RATE = 3
    viewer = UserFactory()

    async def scenario() -> None:
        socket = Socket(live_room.pk, viewer)
        await socket.open()
        for n in range(3):
            await socket.chat(f"m{n}")
            await socket.wait_for(chat_from(viewer, f"m{n}"))
        await socket.chat("one too many")
        await socket.wait_for(error("chat.rate_limited"))
        await socket.close()

    run(scenario)
    assert ChatMessage.objects.count() == 3


def test_likes_are_aggregated_not_written_one_by_one(live_room) -> None:
    fans = [UserFactory() for _ in range(2)]

    async def scenario() -> None:
        sockets = [Socket(live_room.pk, fan) for fan in fans]
        for socket in sockets:
            await socket.open()
        for _ in range(20):
            for socket in sockets:
                await socket.send({"type": "like", "count": 3})
        seen = 0
        while seen < 120:
            frame = await sockets[0].wait_for(lambda f: f["type"] == "likes")
            seen += frame["count"]
        assert seen == 120 and frame["total"] == 120
        await sockets[0].send({"type": "like", "count": 0})
        await sockets[0].wait_for(error("like.invalid"))
        for socket in sockets:
            await socket.close()

    run(scenario)
    events = Event.objects.filter(kind=EventKind.LIVE_LIKE, source_id=live_room.pk)
    assert sum(event.properties["count"] for event in events) == 120
    assert events.count() < 40  # one per process per tick, never one per like


def test_presence_counts_sockets_and_keeps_the_peak(live_room) -> None:
    viewers = [UserFactory() for _ in range(3)]

    async def scenario() -> None:
        sockets = [Socket(live_room.pk, viewer) for viewer in viewers]
        for socket in sockets:
            await socket.open()
        await sockets[0].wait_for(lambda f: f["type"] == "viewers" and f["count"] == 3)
        await sockets[2].close()
        await sockets[1].close()
        frame = await sockets[0].wait_for(lambda f: f["type"] == "viewers" and f["count"] == 1)
        assert frame["peak"] == 3
        await sockets[0].close()

    run(scenario)
    room = services.room_end(room_id=live_room.pk, by="host")
    assert room.peak_viewers == 3
    assert Event.objects.filter(kind=EventKind.LIVE_WATCH, source_id=live_room.pk).count() == 3


def test_a_deleted_message_leaves_the_history_and_every_screen(live_room, host) -> None:
    viewer = UserFactory()

    async def scenario() -> None:
        socket = Socket(live_room.pk, viewer)
        await socket.open()
        await socket.chat("delete me")
        frame = await socket.wait_for(chat_from(viewer, "delete me"))
        await database_sync_to_async(services.message_delete)(
            room=live_room, message_id=frame["id"]
        )
        gone = await socket.wait_for(lambda f: f.get("event") == "message_deleted")
        assert gone["message_id"] == frame["id"]
        await socket.close()

    run(scenario)
    assert ChatMessage.objects.get().visibility == MessageVisibility.DELETED
    assert Room.objects.get(pk=live_room.pk).status == "live"
