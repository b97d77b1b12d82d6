# --- comment management ---------------------------------------------------------------------
"""Operators' view of creators' comment filters (read and remove; creators edit their own)."""

from django.contrib import admin
from django.http import HttpRequest

from apps.creators.models import BlockedWord, TrustedCommenter


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    list_display = ("id", "creator", "word", "normalized", "action", "created_at")
    list_filter = ("action",)
    search_fields = ("=creator__id", "creator__username", "word", "normalized")
    list_select_related = ("creator",)
    raw_id_fields = ("creator",)
    readonly_fields = ("creator", "word", "normalized", "action", "created_at")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # words are normalised by the creators service; creators add their own


@admin.register(TrustedCommenter)
class TrustedCommenterAdmin(admin.ModelAdmin):
    list_display = ("id", "creator", "user", "created_at")
    search_fields = ("=creator__id", "creator__username", "=user__id", "user__username")
    list_select_related = ("creator", "user")
    raw_id_fields = ("creator", "user")
    readonly_fields = ("creator", "user", "created_at")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# --- end of comment management --------------------------------------------------------------
