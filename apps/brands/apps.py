from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "apps.brands"
    label = "brands"
    verbose_name = "Brands"

    def ready(self) -> None:
        """Register pitches with moderation and the discovery refresh task with Celery."""
        from apps.brands import discovery_tasks, profile_review_target  # noqa: F401
        from apps.core.console import CREATORS_AND_BRANDS, register_app_section

        profile_review_target.register()
        register_app_section(self.label, CREATORS_AND_BRANDS)
