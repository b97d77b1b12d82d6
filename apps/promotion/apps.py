"""Fries paid note promotion: orders, quotes, delivery, pacing, billing, reports."""

from django.apps import AppConfig


class PromotionConfig(AppConfig):
    name = "apps.promotion"
    label = "promotion"
    verbose_name = "Promotion"

    def ready(self) -> None:
        """Serve promoted notes in the discovery feed; stop orders whose note is withdrawn."""
        from apps.notes import hooks
        from apps.promotion import console_pending
        from apps.promotion.delivery import promoted_slots
        from apps.promotion.services import promotion_orders_withdraw

        hooks.feed_slots.register("promotion.paid_slots", promoted_slots)
        hooks.note_withdrawal_listeners.register("promotion.stop_orders", promotion_orders_withdraw)
        console_pending.register()
