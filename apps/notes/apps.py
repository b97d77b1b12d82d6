from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "apps.notes"
    label = "notes"
    verbose_name = "Notes"

    def ready(self) -> None:
        """Register notes and comments with moderation, bound to the notes services."""
        from apps.analytics.targets import register_visible_note_authors
        from apps.core.console import CREATORS_AND_BRANDS, register_app_section
        from apps.moderation.targets import ModerationTarget, register_target
        from apps.notes.analytics_hooks import visible_note_authors
        from apps.notes.models import Comment, Note
        from apps.notes.services import (
            comment_moderation_set,
            comment_visible_to,
            note_moderation_set,
            note_visible_to,
        )

        register_target(
            ModerationTarget(
                key="note",
                model=Note,
                author_id_of=lambda note: note.author_id,
                set_visibility=lambda note, visibility: note_moderation_set(
                    note=note, visibility=visibility
                ),
                excerpt_of=lambda note: note.title or note.body[:40],
                visible_to=lambda note, viewer: note_visible_to(note, viewer.pk),
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
                visible_to=lambda comment, viewer: (
                    comment_visible_to(comment, viewer.pk)
                    and note_visible_to(comment.note, viewer.pk)
                ),
            )
        )
        register_visible_note_authors(visible_note_authors)
        register_app_section(self.label, CREATORS_AND_BRANDS)
