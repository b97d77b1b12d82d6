"""note_daily keeps one index, (day, author_id, note_id), unique: writing a day's rows touches
only its right-hand end. The new index is built before the two it replaces are dropped, so
there is no moment without a uniqueness guarantee."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_rollup_indexes"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="notedaily",
            constraint=models.UniqueConstraint(
                fields=("day", "author_id", "note_id"), name="note_daily_day_author_note_unique"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="notedaily",
            name="note_daily_day_note_unique",
        ),
        migrations.RemoveIndex(
            model_name="notedaily",
            name="note_daily_author_day_note_idx",
        ),
    ]
