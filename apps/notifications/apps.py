from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        """Place the notification pages in the operator console's sections."""
        from apps.core.console import CREATORS_AND_BRANDS, register_app_section

        register_app_section(self.label, CREATORS_AND_BRANDS)
