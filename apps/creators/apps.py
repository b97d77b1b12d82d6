from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "apps.creators"
    label = "creators"
    verbose_name = "Creators"

    def ready(self) -> None:
        """Place the creator-center pages in the operator console's sections."""
        from apps.core.console import CREATORS_AND_BRANDS, register_app_section

        register_app_section(self.label, CREATORS_AND_BRANDS)
