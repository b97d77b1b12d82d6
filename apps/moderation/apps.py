from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "apps.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from apps.moderation import console_pending, profile_screening

        profile_screening.register()
        console_pending.register()  # the operator console's section and pending-work counts
