"""Helpers for room sockets through Channels' WebsocketCommunicator (the project's JWT stack)."""

import asyncio
import json
from typing import Any

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from apps.core.ws_auth import JwtAuthMiddlewareStack
from config.websocket_urls import websocket_urlpatterns

TIMEOUT = 10  # seconds; the machine is shared
APPLICATION = JwtAuthMiddlewareStack(URLRouter(websocket_urlpatterns))


def token_for(user: Any) -> str:
    return str(AccessToken.for_user(user))  # no database write: usable inside the loop


class Socket:
    """A room socket with helpers to wait for a frame of some type."""

    def __init__(self, room_id: int, user: Any = None) -> None:
        path = f"/ws/live/rooms/{room_id}/"
        if user is not None:
            path += f"?token={token_for(user)}"
        self.communicator = WebsocketCommunicator(APPLICATION, path)
        self.frames: list[dict] = []
        self.closed: int | None = None

    async def open(self) -> dict:
        connected, _ = await self.communicator.connect(timeout=TIMEOUT)
        assert connected
        return await self.next()

    async def next(self) -> dict:
        message = await self.communicator.receive_output(timeout=TIMEOUT)
        if message["type"] == "websocket.close":
            self.closed = message.get("code", 1000)
            return {"type": "closed", "code": self.closed}
        frame = json.loads(message["text"])
        self.frames.append(frame)
        return frame

    async def wait_for(self, predicate: Any) -> dict:
        """The next frame matching ``predicate`` (frames before it are skipped)."""
        while True:
            frame = await self.next()
            if predicate(frame):
                return frame
            if frame["type"] == "closed":
                raise AssertionError(f"closed before the frame came: {self.frames}")

    async def send(self, frame: dict) -> None:
        await self.communicator.send_json_to(frame)

    async def chat(self, text: str) -> None:
        await self.send({"type": "chat", "text": text})

    async def nothing_more(self) -> bool:
        return await self.communicator.receive_nothing(timeout=0.3)

    async def close(self) -> None:
        if self.closed is None:
            await self.communicator.disconnect()
        await asyncio.sleep(0)


def chat_from(user: Any, text: str | None = None) -> Any:
    return lambda f: (
        f["type"] == "chat" and f["user"]["id"] == user.pk and (text is None or f["text"] == text)
    )


def error(code: str) -> Any:
    return lambda f: f["type"] == "error" and f["code"] == code
