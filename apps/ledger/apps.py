from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "apps.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        """Register the console's money section and its pending work."""
        from apps.ledger import console_pending

        console_pending.register()
