"""The commerce rollup: one row per (day, product, creator, note) of product events."""

from django.db import models


class CommerceDaily(models.Model):
    """Clicks, add-to-cart, orders, GMV and commission for a product on a day, by the creator
    and note they are attributed to (0 when none). Refunds are counted on the day they happen,
    under the attribution of the refunded line, so a period's net figures add up."""

    pk = models.CompositePrimaryKey("day", "product_id", "creator_id", "note_id")
    day = models.DateField()
    product_id = models.BigIntegerField()
    creator_id = models.BigIntegerField(help_text="0: no creator.")
    note_id = models.BigIntegerField(help_text="0: no note.")
    clicks = models.BigIntegerField(default=0)
    add_to_cart = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0, help_text="Paid order lines.")
    units = models.BigIntegerField(default=0)
    gmv = models.BigIntegerField(default=0, help_text="Fen paid.")
    commission = models.BigIntegerField(default=0, help_text="Fen accrued.")
    refunds = models.BigIntegerField(default=0)
    refunded_gmv = models.BigIntegerField(default=0)
    refunded_commission = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "commerce day"
        indexes = [
            models.Index(fields=["product_id", "day"], name="commerce_daily_product_idx"),
            models.Index(fields=["creator_id", "day"], name="commerce_daily_creator_idx"),
            models.Index(fields=["note_id", "day"], name="commerce_daily_note_idx"),
        ]

    def __str__(self) -> str:
        return f"product {self.product_id} on {self.day}"
