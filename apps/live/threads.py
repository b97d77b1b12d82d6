"""Running the live consumers' database work off the event loop, in parallel.

Channels' ``database_sync_to_async`` is thread-sensitive by default: every consumer of a
process then shares one thread, so a room's chat writes (each a few queries) queue behind one
another. Live's sync calls touch no thread-bound state, so they run in a pool of threads, each
with its own database connection (closed when stale, as Channels does).
"""

from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async


def in_thread(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` as a coroutine function run in the pool, not the process's sync thread."""
    return database_sync_to_async(function, thread_sensitive=False)
