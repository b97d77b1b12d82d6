"""Trigram search on PostgreSQL: pg_trgm and GIN indexes for note and user search.

Chinese has no spaces between words, so search is substring matching (``LIKE '%口红%'``);
pg_trgm's GIN indexes serve those patterns. ``notes_note.search_text`` is stored case-folded
and queried with ``contains`` (``search_text::text LIKE``); user search uses Django's
``icontains`` on display names (``UPPER(display_name::text) LIKE UPPER(...)``), so that index is
on the same expression. Embedded mode (SQLite) skips this migration's work and scans.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS note_search_trgm_idx ON notes_note "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS profile_display_name_trgm_idx ON accounts_profile "
    "USING gin ((UPPER(display_name::text)) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS profile_display_name_trgm_idx",
    "DROP INDEX IF EXISTS note_search_trgm_idx",
]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
