from django.urls import path

from apps.live.api import chat_views, money_views, room_views

R = "live/rooms/<id:room_id>"

urlpatterns = [
    path("live/rooms", room_views.RoomListApi.as_view(), name="live-rooms"),
    path("live/rooms/mine", room_views.MyRoomListApi.as_view(), name="live-rooms-mine"),
    path(R, room_views.RoomDetailApi.as_view(), name="live-room"),
    path(f"{R}/cancel", room_views.RoomCancelApi.as_view(), name="live-room-cancel"),
    path(f"{R}/end", room_views.RoomEndApi.as_view(), name="live-room-end"),
    path(f"{R}/reminder", room_views.RoomReminderApi.as_view(), name="live-room-reminder"),
    path("live/stream-key", room_views.StreamKeyApi.as_view(), name="live-stream-key"),
    path(
        "live/stream-key/rotate",
        room_views.StreamKeyRotateApi.as_view(),
        name="live-stream-key-rotate",
    ),
    path(f"{R}/messages", chat_views.ChatHistoryApi.as_view(), name="live-room-messages"),
    path(
        f"{R}/messages/<id:message_id>",
        chat_views.ChatMessageDeleteApi.as_view(),
        name="live-room-message",
    ),
    path(
        f"{R}/chat-settings", chat_views.ChatSettingsApi.as_view(), name="live-room-chat-settings"
    ),
    path(f"{R}/sanctions", chat_views.SanctionListApi.as_view(), name="live-room-sanctions"),
    path(
        f"{R}/sanctions/<id:user_id>",
        chat_views.SanctionLiftApi.as_view(),
        name="live-room-sanction",
    ),
    path(
        f"{R}/allowed-speakers",
        chat_views.AllowedSpeakerListApi.as_view(),
        name="live-room-allowed-speakers",
    ),
    path(
        f"{R}/allowed-speakers/<id:user_id>",
        chat_views.AllowedSpeakerRemoveApi.as_view(),
        name="live-room-allowed-speaker",
    ),
    path("live/moderators", chat_views.ModeratorListApi.as_view(), name="live-moderators"),
    path(
        "live/moderators/<id:moderator_id>",
        chat_views.ModeratorRemoveApi.as_view(),
        name="live-moderator",
    ),
    path("live/blocked-words", chat_views.BlockedWordListApi.as_view(), name="live-blocked-words"),
    path(
        "live/blocked-words/<id:word_id>",
        chat_views.BlockedWordRemoveApi.as_view(),
        name="live-blocked-word",
    ),
    path("live/gifts", money_views.GiftKindListApi.as_view(), name="live-gifts"),
    path(f"{R}/gifts", money_views.RoomGiftSendApi.as_view(), name="live-room-gifts"),
    path(f"{R}/shelf", money_views.ShelfApi.as_view(), name="live-room-shelf"),
    path(f"{R}/shelf/order", money_views.ShelfOrderApi.as_view(), name="live-room-shelf-order"),
    path(f"{R}/shelf/pin", money_views.ShelfPinApi.as_view(), name="live-room-shelf-pin"),
    path(
        f"{R}/shelf/<id:product_id>",
        money_views.ShelfItemApi.as_view(),
        name="live-room-shelf-item",
    ),
    path(f"{R}/report", money_views.RoomReportApi.as_view(), name="live-room-report"),
    path("live/reports", money_views.ReportListApi.as_view(), name="live-reports"),
]
