from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        """Register the ``user`` review target, bound to accounts' own services."""
        from apps.accounts import review_target

        review_target.register()
