"""Comment management by note authors, second step: note_author required, the inbox's partial
indexes, one pin per note and, on PostgreSQL, a trigram index for keyword search (Django's
``icontains`` is ``UPPER(body::text) LIKE UPPER(...)``, so the index is on that).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRIGRAM_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Not partial: the planner reads the statistics of an index expression only from a
    # non-partial index, and without them it guesses 0.01 % for every keyword, walking 100,000
    # matches of a common word instead of the inbox index.
    "CREATE INDEX IF NOT EXISTS comment_body_trgm_idx ON notes_comment "
    "USING gin ((UPPER(body::text)) gin_trgm_ops)",
]
TRIGRAM_BACKWARD = ["DROP INDEX IF EXISTS comment_body_trgm_idx"]


def _trigram(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0005_comment_management"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="note_author",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="comments_on_my_notes",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="pinned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="note",
            name="who_can_comment",
            field=models.CharField(
                choices=[("everyone", "Everyone"), ("fans", "Fans only"), ("nobody", "Nobody")],
                default="everyone",
                max_length=8,
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(
                    ("moderation", "visible"),
                    ("status", "visible"),
                    models.Q(("author", models.F("note_author")), _negated=True),
                    ("creator_state__in", ["visible", "hidden"]),
                ),
                fields=["note_author", "-created_at", "-id"],
                name="comment_inbox_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(
                    ("moderation", "visible"),
                    ("status", "visible"),
                    models.Q(("author", models.F("note_author")), _negated=True),
                    ("creator_state__in", ["visible", "hidden"]),
                ),
                fields=["note", "-created_at", "-id"],
                name="comment_inbox_note_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(
                    ("moderation", "visible"),
                    ("status", "visible"),
                    models.Q(("author", models.F("note_author")), _negated=True),
                    ("creator_state__in", ["visible", "hidden"]),
                    ("creator_replied_at__isnull", True),
                ),
                fields=["note_author", "-created_at", "-id"],
                name="comment_inbox_unreplied_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(
                    ("moderation", "visible"),
                    ("status", "visible"),
                    models.Q(("author", models.F("note_author")), _negated=True),
                    ("creator_state__in", ["visible", "hidden"]),
                ),
                fields=["note_author", "author", "-created_at", "-id"],
                name="comment_inbox_author_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(
                    ("moderation", "visible"),
                    ("status", "visible"),
                    models.Q(("author", models.F("note_author")), _negated=True),
                    models.Q(("creator_state", "visible"), _negated=True),
                ),
                fields=["note_author", "creator_state", "-created_at", "-id"],
                name="comment_inbox_state_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("pinned_at__isnull", False)),
                fields=("note",),
                name="comment_one_pin_per_note",
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("pinned_at__isnull", True), ("parent__isnull", True), _connector="OR"
                ),
                name="comment_pin_top_level",
            ),
        ),
        migrations.RunPython(_trigram(TRIGRAM_FORWARD), _trigram(TRIGRAM_BACKWARD)),
    ]
