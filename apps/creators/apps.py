from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "apps.creators"
    label = "creators"
    verbose_name = "Creators"

    def ready(self) -> None:
        """Plug blocked words into notes' comment filters; place the pages in the console."""
        from apps.creators.comments_filters import creator_comment_filter
        from apps.notes import hooks

        hooks.comment_filters.register("creators.blocked_words", creator_comment_filter)

        from apps.core.console import CREATORS_AND_BRANDS, register_app_section

        register_app_section(self.label, CREATORS_AND_BRANDS)
