from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        """Listen to organisation changes; place the notification pages in the console."""
        from apps.notifications import organisations

        organisations.register()

        from apps.core.console import CREATORS_AND_BRANDS, register_app_section

        register_app_section(self.label, CREATORS_AND_BRANDS)
