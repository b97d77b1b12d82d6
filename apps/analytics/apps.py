from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        """Register the console's analytics section and late rollups."""
        from apps.analytics import console_pending

        console_pending.register()
