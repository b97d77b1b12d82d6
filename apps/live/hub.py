"""One server process's side of a room: its sockets, its likes of this second, its heartbeats.

A ``RoomHub`` exists while the process has sockets in the room. It is the process's one
member of the room's channel-layer group: each room event crosses Redis once per process and
the hub hands its text to every local socket (``Member.offer``: the socket's bounded outbox,
``apps/live/outbox.py``, so a slow reader never holds the others), instead of every socket
being a group member with its own queue, decoding and dispatch (measured in
bench/live_chat.py: that per-socket path could not keep up with 250 sockets at 20 msg/s on
this machine). Every ``LIVE_TICK_SECONDS``
it flushes the likes its sockets sent (one Redis INCRBY, one analytics event and one broadcast
per second, never a database write per like), heartbeats its sockets' presence and tells its
own sockets the room's viewer count and peak, read from Redis across all processes.
"""

import asyncio
import logging
import time
from typing import Any, Protocol

from asgiref.sync import sync_to_async
from django.conf import settings

from apps.analytics.kinds import EventKind, EventSource
from apps.analytics.services import server_event_record
from apps.live.broadcast import envelope, layer, room_group, room_send
from apps.live.state import live_state
from apps.live.threads import in_thread
from apps.live.wire import text_frame

logger = logging.getLogger(__name__)


class Member(Protocol):
    member_id: str

    def offer(self, message: dict[str, Any], frame: bytes, system: bool) -> bool:
        """Write or queue a room event (``frame``: its text as a WebSocket frame; ``system``:
        never dropped) without waiting; False when it was dropped."""
        ...


def _off_loop(function: Any) -> Any:
    return sync_to_async(function, thread_sensitive=False)


class RoomHub:
    def __init__(self, room_id: int, host_id: int) -> None:
        self.room_id = room_id
        self.host_id = host_id
        self.members: dict[str, Member] = {}
        self.pending_likes = 0
        self.dropped = 0  # chat events not written to a socket whose outbox was full
        self.last_viewers: tuple[int, int] | None = None
        self.task: asyncio.Task | None = None
        self.receiver: asyncio.Task | None = None
        self.channel = ""
        self.subscribing = asyncio.Lock()

    async def _subscribe(self) -> None:
        """Join the room's group once for this process, and start handing events out."""
        async with self.subscribing:
            if self.receiver is not None and not self.receiver.done():
                return
            channel_layer = layer()
            self.channel = await channel_layer.new_channel()
            await channel_layer.group_add(room_group(self.room_id), self.channel)
            self.receiver = asyncio.create_task(self._receive(channel_layer, self.channel))

    async def _receive(self, channel_layer: Any, channel: str) -> None:
        while True:
            message = await channel_layer.receive(channel)
            self.hand_out(message)

    def hand_out(self, message: dict[str, Any]) -> None:
        """Give one event to every local socket, in one pass that never waits on a socket."""
        frame = text_frame(message["text"])  # once per process (apps/live/wire.py)
        system = message["event"].get("type") == "system"
        for member in list(self.members.values()):
            try:
                if not member.offer(message, frame, system):
                    self.dropped += 1
            except Exception:  # one closing socket must not stop the room
                logger.debug("room event not delivered", exc_info=True)

    async def _unsubscribe(self) -> None:
        if self.receiver is not None:
            self.receiver.cancel()
            self.receiver = None
        if self.channel:
            await layer().group_discard(room_group(self.room_id), self.channel)
            self.channel = ""

    async def join(self, member: Member) -> tuple[int, int]:
        self.members[member.member_id] = member
        await self._subscribe()
        state = live_state()
        ttl = settings.LIVE_PRESENCE_TTL_SECONDS
        await _off_loop(state.heartbeat)(self.room_id, [member.member_id], ttl)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())
        return await _off_loop(state.viewers)(self.room_id)

    async def leave(self, member: Member) -> None:
        self.members.pop(member.member_id, None)
        await _off_loop(live_state().leave)(self.room_id, member.member_id)

    def like(self, count: int) -> None:
        self.pending_likes += count

    async def _run(self) -> None:
        tick = settings.LIVE_TICK_SECONDS
        heartbeat_every = settings.LIVE_PRESENCE_HEARTBEAT_SECONDS
        last_heartbeat = time.monotonic()
        while self.members or self.pending_likes:
            await asyncio.sleep(tick)
            try:
                await self._flush_likes()
                beat = time.monotonic() - last_heartbeat >= heartbeat_every
                if beat:
                    last_heartbeat = time.monotonic()
                    await _off_loop(live_state().heartbeat)(
                        self.room_id, list(self.members), settings.LIVE_PRESENCE_TTL_SECONDS
                    )
                await self._tell_viewers(always=beat)
                if self.dropped:
                    dropped, self.dropped = self.dropped, 0
                    logger.warning("live room %s: %s events dropped", self.room_id, dropped)
            except Exception:  # a Redis or database hiccup must not stop the room's ticks
                logger.exception("live room %s tick failed", self.room_id)
        HUBS.pop(_hub_key(self.room_id), None)
        await self._unsubscribe()

    async def _flush_likes(self) -> None:
        count, self.pending_likes = self.pending_likes, 0
        if not count:
            return
        total = await _off_loop(live_state().add_likes)(self.room_id, count)
        await in_thread(server_event_record)(
            kind=EventKind.LIVE_LIKE,
            actor_id=None,
            target_user_id=self.host_id,
            source=EventSource.LIVE,
            source_id=self.room_id,
            properties={"count": count},
        )
        await room_send(self.room_id, {"type": "likes", "count": count, "total": total})

    async def _tell_viewers(self, *, always: bool) -> None:
        """The count when it changed, and at every heartbeat (a client that missed a frame
        catches up)."""
        viewers = await _off_loop(live_state().viewers)(self.room_id)
        if viewers == self.last_viewers and not always:
            return
        self.last_viewers = viewers
        self.hand_out(envelope({"type": "viewers", "count": viewers[0], "peak": viewers[1]}))


# Per event loop and room: a server has one loop; tests start a loop per test.
HUBS: dict[tuple[int, int], RoomHub] = {}


def _hub_key(room_id: int) -> tuple[int, int]:
    return id(asyncio.get_running_loop()), room_id


def hub_for(room_id: int, host_id: int) -> RoomHub:
    hub = HUBS.get(_hub_key(room_id))
    if hub is None:
        hub = HUBS[_hub_key(room_id)] = RoomHub(room_id, host_id)
    return hub
