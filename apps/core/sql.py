"""Raw SQL on the hot paths: statements the server prepares once per connection."""

from functools import cache
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

_EXPLICIT_ONLY = 2**31 - 1  # a threshold no statement reaches by repetition


@cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Server-side binding, every statement prepared (kept in psycopg's per-connection LRU)."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("prepare", True)
            return super().execute(query, params, **kwargs)

    return PreparingCursor


def prepared_cursor() -> CursorWrapper:
    """A cursor whose statements are bound server-side and prepared on their first run.

    The hot paths (checkout, ledger accounts) send the same few statements thousands of times
    per connection; prepared, the server stops parsing and planning them, which was most of
    their server time. Wrapped like any Django cursor (logged, errors translated). Elsewhere
    than PostgreSQL, an ordinary cursor. Behind PgBouncer in transaction mode before 1.21,
    prepared statements do not survive: do not use it there.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:  # Django's default: psycopg never prepares
        # Only statements asked for (``prepare=True``) are prepared; nothing else changes.
        connection.connection.prepare_threshold = _EXPLICIT_ONLY
    raw = _preparing_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)
