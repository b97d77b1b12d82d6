from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        """Listen to the follow graph (accounts is below analytics) and register console rollups."""
        from apps.accounts.hooks import register_follow_listener
        from apps.analytics.recording import record_follow_event

        register_follow_listener("analytics", record_follow_event)

        from apps.analytics import console_pending

        console_pending.register()
