from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "apps.brands"
    label = "brands"
    verbose_name = "Brands"

    def ready(self) -> None:
        """Plug into notes (sponsored label, protection guard) and the operator console."""
        from apps.brands import console_pending, labels, protection
        from apps.notes import hooks

        hooks.note_labels.register("brands.sponsored", labels.sponsored_labels)
        hooks.note_change_guards.register("brands.protection", protection.note_change_guard)
        console_pending.register()
