from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "apps.brands"
    label = "brands"
    verbose_name = "Brands"

    def ready(self) -> None:
        """Plug into notes (sponsored label, protection guard), moderation (pitches), the
        operator console, and register the discovery refresh task with Celery."""
        from apps.brands import (  # noqa: F401
            console_pending,
            discovery_tasks,
            labels,
            profile_review_target,
            protection,
        )
        from apps.core.console import CREATORS_AND_BRANDS, register_app_section
        from apps.notes import hooks

        hooks.note_labels.register("brands.sponsored", labels.sponsored_labels)
        hooks.note_change_guards.register("brands.protection", protection.note_change_guard)
        console_pending.register()
        profile_review_target.register()
        register_app_section(self.label, CREATORS_AND_BRANDS)
