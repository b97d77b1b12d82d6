from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "apps.notes"
    label = "notes"
    verbose_name = "Notes"

    def ready(self) -> None:
        """Register notes and comments with moderation, bound to the notes services."""
        from apps.core.console import CREATORS_AND_BRANDS, register_app_section
        from apps.moderation.targets import ModerationTarget, register_target
        from apps.notes.models import Comment, Note
        from apps.notes.services import comment_moderation_set, note_moderation_set

        register_target(
            ModerationTarget(
                key="note",
                model=Note,
                author_id_of=lambda note: note.author_id,
                set_visibility=lambda note, visibility: note_moderation_set(
                    note=note, visibility=visibility
                ),
                excerpt_of=lambda note: note.title or note.body[:40],
            )
        )
        register_target(
            ModerationTarget(
                key="comment",
                model=Comment,
                author_id_of=lambda comment: comment.author_id,
                set_visibility=lambda comment, visibility: comment_moderation_set(
                    comment=comment, visibility=visibility
                ),
                excerpt_of=lambda comment: comment.body[:60],
            )
        )
        register_app_section(self.label, CREATORS_AND_BRANDS)
