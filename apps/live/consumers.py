"""The room socket, ``/ws/live/rooms/<id>/``: chat, likes and the room's events.

Anyone may watch (anonymous sockets read); writing needs a user (JWT, ``apps.core.ws_auth``).
Frames and close codes are listed in docs/live.md. Writes run ``chat_message_post`` in a
worker thread; refusals come back as ``error`` frames, the socket stays open.
"""

import json
import time
import uuid
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from apps.analytics.kinds import EventKind, EventSource
from apps.analytics.services import server_event_record
from apps.core.errors import DomainError
from apps.core.ws_auth import SERVER_SEND
from apps.live import selectors, services
from apps.live.broadcast import room_send
from apps.live.hub import RoomHub, hub_for
from apps.live.outbox import Outbox
from apps.live.threads import in_thread
from apps.live.wire import TransportWriter, transport_writer

ROOM_CLOSED = 4404  # no such room, or it ended or was cancelled
BANNED = 4403  # banned from the room (at connect, or when the ban lands)
MAX_LIKES_PER_FRAME = 50


def _room_for_socket(room_id: int, user_id: int | None) -> dict[str, Any] | None:
    room = selectors.room_list().filter(pk=room_id).first()
    if room is None:
        return None
    banned = user_id is not None and selectors.is_banned(room_id=room_id, user_id=user_id)
    return {
        "host_id": room.host_id,
        "banned": banned,
        "room": {
            "id": room.pk,
            "title": room.title,
            "status": room.status,
            **services.chat_settings(room),
        },
    }


class RoomConsumer(AsyncJsonWebsocketConsumer):
    # A socket takes no channel of its own (an alias no layer is configured under): the room's
    # hub is the process's one member of the room's group and hands events to its sockets.
    channel_layer_alias = "live.sockets-have-no-channel"

    hub: RoomHub | None = None
    outbox: Outbox
    writer: TransportWriter | None = None

    @property
    def user_id(self) -> int | None:
        user = self.scope.get("user")
        return user.pk if user is not None and user.is_authenticated else None

    async def connect(self) -> None:
        self.room_id = int(self.scope["url_route"]["kwargs"]["room_id"])
        self.member_id = uuid.uuid4().hex
        self.joined_at = time.monotonic()
        info = await in_thread(_room_for_socket)(self.room_id, self.user_id)
        await self.accept()
        self.writer = transport_writer(self.scope.get(SERVER_SEND))
        if info is None:
            await self.close(code=ROOM_CLOSED)
            return
        if info["banned"]:
            await self.close(code=BANNED)
            return
        self.host_id = info["host_id"]
        self.outbox = Outbox(self.deliver, settings.LIVE_SOCKET_OUTBOX)
        self.hub = hub_for(self.room_id, self.host_id)
        count, peak = await self.hub.join(self)
        await self.send_json(
            {
                "type": "welcome",
                "room": info["room"],
                "user_id": self.user_id,
                "viewers": {"count": count, "peak": peak},
            }
        )

    async def disconnect(self, code: int) -> None:
        if self.hub is None:
            return
        hub, self.hub = self.hub, None
        self.outbox.close()
        await hub.leave(self)
        watched = int((time.monotonic() - self.joined_at) * 1000)
        await in_thread(server_event_record)(
            kind=EventKind.LIVE_WATCH,
            actor_id=self.user_id,
            target_user_id=self.host_id,
            source=EventSource.LIVE,
            source_id=self.room_id,
            properties={"watch_ms": watched},
        )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self._error("frame.invalid", "Frames are JSON objects.")
            return
        if not isinstance(content, dict):
            await self._error("frame.invalid", "Frames are JSON objects.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if self.hub is None:
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong", "ref": content.get("ref")})
        elif kind == "chat":
            await self._chat(content)
        elif kind == "like":
            await self._like(content)
        else:
            await self._error("frame.unknown_type", "Known types: chat, like, ping.")

    async def _chat(self, content: dict[str, Any]) -> None:
        ref = content.get("ref")
        if self.user_id is None:
            await self._error("chat.sign_in_required", "Sign in to write.", ref)
            return
        try:
            posted = await in_thread(services.chat_message_post)(
                room_id=self.room_id, user=self.scope["user"], text=content.get("text")
            )
        except DomainError as exc:
            await self._error(exc.code, exc.message, ref, exc.fields)
            return
        frame = services.message_event(posted.message)
        if ref is not None:
            frame["ref"] = ref
        if posted.held:
            await self.send_json({**frame, "held": True})
        else:
            await room_send(self.room_id, frame)
        await in_thread(services.chat_message_record)(message=posted.message, host_id=self.host_id)

    async def _like(self, content: dict[str, Any]) -> None:
        count = content.get("count", 1)
        if self.user_id is None:
            await self._error("chat.sign_in_required", "Sign in to like.")
            return
        if not isinstance(count, int) or isinstance(count, bool):
            count = 0
        if not 1 <= count <= MAX_LIKES_PER_FRAME:
            await self._error("like.invalid", f"1 to {MAX_LIKES_PER_FRAME} likes per frame.")
            return
        if self.hub is not None:
            self.hub.like(count)

    async def _error(
        self, code: str, message: str, ref: Any = None, fields: dict | None = None
    ) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if fields:
            frame["fields"] = fields
        if ref is not None:
            frame["ref"] = ref
        await self.send_json(frame)

    def offer(self, message: dict[str, Any], frame: bytes, system: bool) -> bool:
        """A room event from the hub: its ready frame straight to the transport when nothing
        is queued before it, else into the outbox (system events always go there: closing the
        socket may follow, and they are never dropped)."""
        writer = self.writer
        if not system and writer is not None and self.outbox.idle and writer.write(frame):
            return True
        return self.outbox.put(message, droppable=not system)

    async def deliver(self, message: dict[str, Any]) -> None:
        """Write one room event (``apps.live.broadcast``) from the outbox: its text, encoded
        once for the room, goes straight to the server's ``send`` (past the session wrapper,
        which acts on the accept only)."""
        event = message["event"]
        write = self.scope.get(SERVER_SEND, self.base_send)
        await write({"type": "websocket.send", "text": message["text"]})
        if event.get("type") != "system":
            return
        name = event.get("event")
        banned_here = self.user_id is not None and event.get("user_id") == self.user_id
        if name == "user_banned" and banned_here:
            await self.close(code=BANNED)
        elif name in ("room_ended", "room_cancelled"):
            await self.close(code=1000)
