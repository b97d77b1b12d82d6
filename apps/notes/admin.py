"""Operator screens for notes, comments, topics and boards.

Counters and moderation state are read-only here: they change only through the services
(moderation decisions go through the moderation app, or the actions below), so the profile and
note counters stay exact.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes import services
from apps.notes.models import Board, Comment, Note, NoteMedia, Topic

COUNTERS = ("likes_count", "collects_count", "comments_count", "shares_count")


class NoteMediaInline(admin.TabularInline):
    model = NoteMedia
    extra = 0
    can_delete = False
    fields = ("position", "kind", "format", "width", "height", "size_bytes", "file", "thumbnail")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Note | None = None) -> bool:
        return False


def _set_note_visibility(request: HttpRequest, queryset: QuerySet, visibility: str) -> None:
    for note in queryset:
        services.note_moderation_set(note=note, visibility=visibility)


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "author",
        "kind",
        "category",
        "status",
        "visibility",
        "moderation",
        *COUNTERS,
        "published_at",
    )
    list_filter = ("status", "kind", "visibility", "moderation", "category")
    search_fields = ("=id", "title", "author__username", "author__profile__display_name")
    list_select_related = ("author", "category")
    raw_id_fields = ("author",)
    date_hierarchy = "published_at"
    show_full_result_count = False
    inlines = (NoteMediaInline,)
    readonly_fields = (
        "author",
        "kind",
        "status",
        "moderation",
        "published_at",
        "deleted_at",
        "cover",
        "cover_width",
        "cover_height",
        *COUNTERS,
        "rank",
        "created_at",
        "updated_at",
    )
    exclude = ("topics", "mentions", "search_text")
    actions = ("hide_notes", "approve_notes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # notes come from their authors, with checked media

    @admin.action(description="Hide selected notes (moderation)")
    def hide_notes(self, request: HttpRequest, queryset: QuerySet) -> None:
        _set_note_visibility(request, queryset, ModerationVisibility.HIDDEN)
        messages.success(request, f"{queryset.count()} notes hidden.")

    @admin.action(description="Make selected notes visible (moderation)")
    def approve_notes(self, request: HttpRequest, queryset: QuerySet) -> None:
        _set_note_visibility(request, queryset, ModerationVisibility.VISIBLE)
        messages.success(request, f"{queryset.count()} notes visible.")

    def save_model(self, request: HttpRequest, obj: Note, form, change: bool) -> None:
        # Visibility changes move the author's counters; go through the service.
        changed = {name: getattr(obj, name) for name in form.changed_data}
        if change and changed:
            services.note_update(note_id=obj.pk, actor=obj.author, **changed)
        elif not change:
            super().save_model(request, obj, form, change)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "short_body",
        "author",
        "note",
        "parent",
        "status",
        "moderation",
        "creator_state",
        "likes_count",
        "replies_count",
        "created_at",
    )
    list_filter = ("status", "moderation", "creator_state")
    search_fields = ("=id", "body", "author__username", "=note__id")
    list_select_related = ("author", "note")
    raw_id_fields = ("note", "note_author", "author", "parent", "reply_to", "reply_to_user")
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = (
        "status",
        "moderation",
        "creator_state",
        "creator_replied_at",
        "pinned_at",
        "likes_count",
        "replies_count",
        "created_at",
        "deleted_at",
    )
    actions = ("hide_comments", "approve_comments")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False  # comments change through services (counters); operators use the actions

    @admin.display(description="Body")
    def short_body(self, comment: Comment) -> str:
        return comment.body[:60]

    @admin.action(description="Hide selected comments (moderation)")
    def hide_comments(self, request: HttpRequest, queryset: QuerySet) -> None:
        for comment in queryset:
            services.comment_moderation_set(comment=comment, visibility=ModerationVisibility.HIDDEN)
        messages.success(request, "Comments hidden.")

    @admin.action(description="Make selected comments visible (moderation)")
    def approve_comments(self, request: HttpRequest, queryset: QuerySet) -> None:
        for comment in queryset:
            services.comment_moderation_set(
                comment=comment, visibility=ModerationVisibility.VISIBLE
            )
        messages.success(request, "Comments visible.")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "key", "created_at")
    search_fields = ("name", "key")
    show_full_result_count = False


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "owner", "created_at")
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner",)
    list_select_related = ("owner",)
    show_full_result_count = False
