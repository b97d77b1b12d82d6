from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        """Register the ``user`` review target and the console's organisations queue."""
        from apps.accounts import console_pending, review_target

        review_target.register()
        console_pending.register()
