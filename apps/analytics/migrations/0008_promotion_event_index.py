"""A partial index for promotion reports: a promoted note's events from the promotion source."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0007_live_events")]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("source", "promotion")),
                fields=["note_id", "occurred_at"],
                name="event_promotion_note_time_idx",
            ),
        ),
    ]
