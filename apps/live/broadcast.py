"""Sending events to everyone in a room, from services (after commit) and from consumers.

Every socket of a room is in the channel-layer group ``live.room.<id>`` of the layer named by
``LIVE_CHANNEL_LAYER`` (Redis pub/sub when Redis is configured: one PUBLISH per event, each
server process hands it to its own sockets). Events are dicts with ``type: "room.event"`` and
the JSON the clients get in ``event`` (docs/live.md lists them).
"""

import json
from functools import partial
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction


def room_group(room_id: int) -> str:
    return f"live.room.{room_id}"


def layer() -> Any:
    return get_channel_layer(settings.LIVE_CHANNEL_LAYER)


def envelope(event: dict[str, Any]) -> dict[str, Any]:
    """The layer message: the event, and its JSON text made once here rather than once per
    socket (a room of 1,000 sockets would otherwise encode each event 1,000 times)."""
    text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return {"type": "room.event", "event": event, "text": text}


async def room_send(room_id: int, event: dict[str, Any]) -> None:
    """Send to the room's sockets now (from async code)."""
    await layer().group_send(room_group(room_id), envelope(event))


def _send_now(room_id: int, event: dict[str, Any]) -> None:
    async_to_sync(room_send)(room_id, event)


def room_send_on_commit(room_id: int, event: dict[str, Any]) -> None:
    """Send once the current transaction commits (never for a rolled-back change)."""
    transaction.on_commit(partial(_send_now, room_id, dict(event)), robust=True)
