from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        """Place the accounts pages in the operator console's sections."""
        from apps.core.console import CREATORS_AND_BRANDS, register_app_section

        register_app_section(self.label, CREATORS_AND_BRANDS)
        # "Organisations awaiting verification" joins the console here (register_pending) once
        # the organisation model exists.
