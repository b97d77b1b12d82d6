"""A socket's room events waiting to be written: bounded, so a slow reader cannot hold a room.

The hub hands every event to every local socket in one pass (``Outbox.put`` never waits). A
socket whose client reads as fast as the room writes has an empty outbox: the event is written
at once, inside ``put`` (an eagerly started task finishes without ever being scheduled when
the write does not block). A socket whose transport is full keeps up to ``limit`` events; past
that, chat events for it are dropped and counted (the client reads history to catch up), while
system events (bans, deletions, the room ending) are always kept.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger(__name__)

Write = Callable[[dict[str, Any]], Awaitable[None]]


class Outbox:
    def __init__(self, write: Write, limit: int) -> None:
        self.write = write
        self.limit = limit
        self.queue: deque[dict[str, Any]] = deque()
        self.task: asyncio.Task | None = None
        self.closed = False

    def put(self, message: dict[str, Any], *, droppable: bool = True) -> bool:
        """Queue ``message`` and start writing if nothing is; False when it was dropped."""
        if self.closed:
            return True  # the socket is going: nothing to count
        if droppable and len(self.queue) >= self.limit:
            return False
        self.queue.append(message)
        if self.task is None or self.task.done():
            loop = asyncio.get_running_loop()
            self.task = asyncio.Task(self._drain(), loop=loop, eager_start=True)
        return True

    async def _drain(self) -> None:
        queue = self.queue
        try:
            while queue and not self.closed:
                await self.write(queue.popleft())
        except Exception:  # the socket closed under us: nothing more can be written to it
            self.close()
            logger.debug("room event not delivered", exc_info=True)

    def close(self) -> None:
        """Stop writing (the socket disconnected); what is queued is discarded."""
        self.closed = True
        self.queue.clear()

    @property
    def idle(self) -> bool:
        """Nothing queued or being written: a frame written past the outbox keeps its order."""
        return not self.queue and (self.task is None or self.task.done())
