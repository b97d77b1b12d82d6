"""SQL that only PostgreSQL runs (functions, triggers), as one migration operation.

Embedded mode runs on SQLite, where the same guarantees come from the portable code paths, so
such migrations are no-ops there: the operation checks the vendor instead of every migration
writing the same ``RunPython`` wrapper.
"""

from collections.abc import Callable
from typing import Any

from django.db import migrations


def _on_postgresql(sql: str) -> Callable[[Any, Any], None]:
    def apply(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return apply


def postgresql_sql(forward: str, backward: str) -> migrations.RunPython:
    """``forward`` on PostgreSQL when migrating, ``backward`` when reversing; elsewhere nothing."""
    return migrations.RunPython(_on_postgresql(forward), _on_postgresql(backward))
