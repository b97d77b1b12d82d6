from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "apps.live"
    label = "live"
    verbose_name = "Live"

    def ready(self) -> None:
        """Chat messages are reportable: they go to moderation's queue as review targets. Row
        changes bump the rooms' chat versions (``apps.live.invalidation``)."""
        from apps.core.console import CREATORS_AND_BRANDS, register_app_section
        from apps.live import invalidation
        from apps.live.models import ChatMessage
        from apps.live.services import message_moderation_set, message_visible_to
        from apps.moderation.targets import ModerationTarget, register_target

        register_target(
            ModerationTarget(
                key="live_chat_message",
                model=ChatMessage,
                author_id_of=lambda message: message.author_id,
                set_visibility=message_moderation_set,
                excerpt_of=lambda message: message.text,
                visible_to=message_visible_to,
            )
        )
        register_app_section(self.label, CREATORS_AND_BRANDS)
        invalidation.connect()
