from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.notifications.models import Notification


class ReadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "read"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("no", "Unread"), ("yes", "Read")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind", ReadFilter)
    search_fields = ("recipient__username", "kind")
    raw_id_fields = ("recipient",)
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)
    show_full_result_count = False
    ordering = ("-created_at", "-id")
