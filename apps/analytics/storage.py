"""Writing events in bulk: one statement per batch, duplicates skipped by the database.

On PostgreSQL a batch is one ``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING``
with the arrays bound server-side in binary (psycopg 3): no SQL text grows with the batch, the
statement is prepared once per connection, and the partial unique index on
(actor_id, client_event_id) drops retried events even when two retries race. Elsewhere (the
embedded SQLite mode) the same rows go through one ``executemany``.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection

from apps.analytics.models import Event

# Per-event values, in this order, in every row handed to ``insert_events``.
EVENT_COLUMNS = (
    "occurred_at",
    "note_id",
    "author_id",
    "target_user_id",
    "source_id",
    "completion",
    "dwell_ms",
    "watch_ms",
    "kind",
    "source",
    "client_event_id",
    "properties",  # JSON text
)
# Values shared by a whole batch: one actor, one receipt time.
SHARED_COLUMNS = ("received_at", "actor_id", "gender", "age_band", "region", "interests")
_PG_TYPES = (
    "timestamptz[]",
    "bigint[]",
    "bigint[]",
    "bigint[]",
    "bigint[]",
    "float8[]",
    "integer[]",
    "integer[]",
    "text[]",
    "text[]",
    "text[]",
    "text[]",
)
TABLE = Event._meta.db_table

_PG_INSERT = (
    f"INSERT INTO {TABLE} ({', '.join(SHARED_COLUMNS)}, {', '.join(EVENT_COLUMNS)}) "
    "SELECT %b, %b, %b, %b, %b, %b::integer[], "
    + ", ".join(f"t.{c}" for c in EVENT_COLUMNS[:-1])
    + ", t.properties::jsonb "
    + f"FROM unnest({', '.join(f'%b::{t}' for t in _PG_TYPES)}) "
    + f"AS t({', '.join(EVENT_COLUMNS)}) "
    + "ON CONFLICT DO NOTHING"
)
_OTHER_INSERT = (
    f"INSERT INTO {TABLE} ({', '.join(SHARED_COLUMNS)}, {', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * (len(SHARED_COLUMNS) + len(EVENT_COLUMNS)))}) "
    "ON CONFLICT DO NOTHING"
)


def _server_binding_cursor() -> Any:
    """A Django cursor whose parameters are bound server-side (binary arrays, no SQL literals).

    Wrapped like any Django cursor, so queries are logged and database errors translated.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def insert_events(
    *,
    rows: Sequence[tuple],
    received_at: datetime,
    actor_id: int | None,
    gender: str,
    age_band: str,
    region: str,
    interests: Sequence[int],
) -> int:
    """Insert rows (values in ``EVENT_COLUMNS`` order); return how many were new."""
    if not rows:
        return 0
    shared = [received_at, actor_id, gender, age_band, region, list(interests)]
    if connection.vendor == "postgresql":
        columns = [list(values) for values in zip(*rows, strict=True)]
        with _server_binding_cursor() as cursor:
            cursor.execute(_PG_INSERT, [*shared, *columns])
            return cursor.rowcount
    ops = connection.ops
    shared[0] = ops.adapt_datetimefield_value(received_at)
    shared[5] = json.dumps(shared[5])
    params = [(*shared, ops.adapt_datetimefield_value(row[0]), *row[1:]) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(_OTHER_INSERT, params)
        return cursor.rowcount
