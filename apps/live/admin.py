"""Operators' screens for live: rooms with state and host, a force-end, chat and gifts.

Rooms change state only through services: "Force end" calls ``room_end`` (the media server's
next ``on_update`` gets 403 and drops the stream; with ``LIVE_FORCE_END_CONTROL_URL`` the
stream is also dropped at once through nginx-rtmp's control endpoint). Chat messages users
report reach the moderation queue as ``live_chat_message`` review targets (``apps.py``).
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.admin_base import ReadOnlyAdmin as ReadOnly
from apps.core.errors import DomainError
from apps.live import services
from apps.live.models import ChatMessage, GiftKind, Report, Room, RoomGift, RoomStatus


@admin.register(Room)
class RoomAdmin(ReadOnly):
    list_display = (
        "id",
        "title",
        "host",
        "status",
        "category",
        "scheduled_at",
        "started_at",
        "ended_at",
        "peak_viewers",
        "likes",
        "ended_by",
    )
    list_filter = ("status", "category", "ended_by")
    search_fields = ("title", "host__username")
    list_select_related = ("host",)
    ordering = ("-created_at", "-id")
    actions = ["force_end"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("live.change_room")  # for the action; fields stay read-only

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in Room._meta.fields]

    @admin.action(description="Force end the selected live rooms (drops the stream)")
    def force_end(self, request: HttpRequest, queryset: QuerySet[Room]) -> None:
        ended = 0
        for room in queryset.filter(status=RoomStatus.LIVE):
            try:
                services.room_end(room_id=room.pk, by="operator")
            except DomainError as exc:
                self.message_user(request, f"{room}: {exc.message}", messages.WARNING)
                continue
            services.stream_drop(room=room)
            ended += 1
        self.message_user(request, f"{ended} room(s) ended.", messages.SUCCESS)


@admin.register(ChatMessage)
class ChatMessageAdmin(ReadOnly):
    list_display = ("id", "room", "author", "kind", "text", "visibility", "created_at")
    list_filter = ("visibility", "kind")
    search_fields = ("text", "author__username")
    list_select_related = ("room", "author")
    raw_id_fields = ("room", "author")
    ordering = ("-id",)


@admin.register(RoomGift)
class RoomGiftAdmin(ReadOnly):
    list_display = ("id", "room", "sender", "gift", "count", "amount", "income", "transaction_id")
    list_select_related = ("room", "sender", "gift")
    ordering = ("-id",)


@admin.register(GiftKind)
class GiftKindAdmin(admin.ModelAdmin):
    list_display = ("name", "price", "icon", "active")
    list_filter = ("active",)


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = (
        "room",
        "duration_seconds",
        "peak_viewers",
        "unique_viewers",
        "chat_messages",
        "likes",
        "gifts_income",
        "new_fans",
        "orders",
        "gmv",
        "computed_at",
    )
    list_select_related = ("room",)
    ordering = ("-id",)
