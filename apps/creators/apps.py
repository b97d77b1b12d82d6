from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "apps.creators"
    label = "creators"
    verbose_name = "Creators"

    def ready(self) -> None:
        """Plug the creator's blocked words and trusted commenters into notes' comment filters."""
        from apps.creators.comments_filters import creator_comment_filter
        from apps.notes import hooks

        hooks.comment_filters.register("creators.blocked_words", creator_comment_filter)
