"""Top-ups and payouts belong to an account owner (a user or an organisation), not to a user.

Existing rows keep their meaning: ``user`` is renamed ``requested_by`` (the column keeps its
values), and ``owner_type``/``owner_id`` are filled as ("user", the former user id) before they
become NOT NULL. Backwards, every row goes back to its requester (an organisation's top-up
would be listed under the finance member who started it). Tested in tests/ledger/test_organisation_money_migration.py.
"""

from django.db import migrations, models

OWNER_CHOICES = [
    ("user", "User"),
    ("organisation", "Organisation"),
    ("brand", "Brand"),
    ("platform", "Platform"),
]


def _owners_from_requesters(apps, schema_editor) -> None:
    for name in ("PaymentIntent", "Payout"):
        model = apps.get_model("ledger", name)
        model.objects.filter(owner_id__isnull=True).update(
            owner_type="user", owner_id=models.F("requested_by_id")
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_database_guards")]

    operations = [
        migrations.AlterField(
            model_name="account",
            name="owner_type",
            field=models.CharField(choices=OWNER_CHOICES, max_length=16),
        ),
        migrations.RemoveIndex(model_name="paymentintent", name="payment_intent_user_idx"),
        migrations.RemoveIndex(model_name="payout", name="payout_user_idx"),
        migrations.RenameField(
            model_name="paymentintent", old_name="user", new_name="requested_by"
        ),
        migrations.RenameField(model_name="payout", old_name="user", new_name="requested_by"),
        migrations.AddField(
            model_name="paymentintent",
            name="owner_type",
            field=models.CharField(choices=OWNER_CHOICES, max_length=16, default="user"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="paymentintent",
            name="owner_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="payout",
            name="owner_type",
            field=models.CharField(choices=OWNER_CHOICES, max_length=16, default="user"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payout",
            name="owner_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(_owners_from_requesters, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="paymentintent",
            name="owner_id",
            field=models.BigIntegerField(),
        ),
        migrations.AlterField(
            model_name="payout",
            name="owner_id",
            field=models.BigIntegerField(),
        ),
        migrations.AddIndex(
            model_name="paymentintent",
            index=models.Index(
                fields=["owner_type", "owner_id", "-created_at", "-id"],
                name="payment_intent_owner_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="payout",
            index=models.Index(
                fields=["owner_type", "owner_id", "-created_at", "-id"], name="payout_owner_idx"
            ),
        ),
    ]
