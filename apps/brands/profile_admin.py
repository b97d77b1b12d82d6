"""Operators' view of cooperation profiles and their discovery rows.

Profiles are the creators' own (edited through the API, pitches decided in the review queue):
operators read them, see why a creator is or is not listed, and can refresh a row at once.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.brands.discovery_refresh import discovery_rows_refresh
from apps.brands.profile_models import CooperationProfile, CreatorDiscoveryRow


class DiscoveryRowInline(admin.StackedInline):
    model = CreatorDiscoveryRow
    can_delete = False
    extra = 0
    readonly_fields = [field.name for field in CreatorDiscoveryRow._meta.fields]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CooperationProfile)
class CooperationProfileAdmin(admin.ModelAdmin):
    list_display = (
        "creator",
        "availability",
        "busy_until",
        "rate_image_note",
        "rate_video_note",
        "rate_live_mention",
        "listed",
        "updated_at",
    )
    list_filter = ("availability", "discovery_row__eligible")
    search_fields = ("=creator__id", "creator__username", "pitch", "pending_pitch")
    list_select_related = ("creator", "discovery_row")
    readonly_fields = (
        "creator",
        "rate_image_note",
        "rate_video_note",
        "rate_live_mention",
        "availability",
        "busy_until",
        "pitch",
        "pending_pitch",
        "created_at",
        "updated_at",
    )
    exclude = ("categories",)
    inlines = [DiscoveryRowInline]
    actions = ["refresh_discovery_rows"]
    show_full_result_count = False

    @admin.display(boolean=True, description="listed")
    def listed(self, profile: CooperationProfile) -> bool:
        row = getattr(profile, "discovery_row", None)
        return bool(row and row.eligible)

    @admin.action(description="Refresh discovery rows now")
    def refresh_discovery_rows(self, request: HttpRequest, queryset: QuerySet) -> None:
        written = discovery_rows_refresh(creator_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{written} discovery rows refreshed.", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # creators opt in themselves
