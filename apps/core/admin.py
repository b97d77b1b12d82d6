from django.contrib import admin

from apps.core.models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """Read-only: the stored first responses of money-moving requests."""

    list_display = ("key", "user", "method", "path", "response_status", "created_at", "expires_at")
    list_filter = ("method", "response_status")
    search_fields = ("key", "user__username", "path")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
