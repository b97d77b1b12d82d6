from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0004_note_daily_day_author_index")]

    operations = [
        migrations.AddIndex(
            model_name="dailyactiveuser",
            index=models.Index(fields=["user_id"], name="daily_active_user_user_idx"),
        ),
    ]
