"""Live writes, split by topic: rooms and stream keys, media-server hooks, chat, chat
moderation, gifts, the shelf and reports. ``from apps.live import services`` sees them all."""

from apps.live.services.chat import (
    Posted,
    Throttled,
    chat_message_post,
    chat_message_record,
    message_event,
)
from apps.live.services.chat_moderation import (
    allowed_speaker_add,
    allowed_speaker_remove,
    blocked_word_add,
    blocked_word_remove,
    chat_settings,
    chat_settings_update,
    message_delete,
    message_moderation_set,
    message_visible_to,
    moderator_add,
    moderator_remove,
    sanction_add,
    sanction_lift,
)
from apps.live.services.gifts import gift_send
from apps.live.services.ingest import hook_publish, hook_publish_done, hook_update
from apps.live.services.reports import report_compute
from apps.live.services.rooms import (
    reminder_set,
    room_cancel,
    room_create,
    room_end,
    room_start,
    room_update,
    stream_drop,
    stream_key_rotate,
)
from apps.live.services.shelf import shelf_add, shelf_cards, shelf_pin, shelf_remove, shelf_reorder

__all__ = [
    "Posted",
    "Throttled",
    "allowed_speaker_add",
    "allowed_speaker_remove",
    "blocked_word_add",
    "blocked_word_remove",
    "chat_message_post",
    "chat_message_record",
    "chat_settings",
    "chat_settings_update",
    "gift_send",
    "hook_publish",
    "hook_publish_done",
    "hook_update",
    "message_delete",
    "message_event",
    "message_moderation_set",
    "message_visible_to",
    "moderator_add",
    "moderator_remove",
    "reminder_set",
    "report_compute",
    "room_cancel",
    "room_create",
    "room_end",
    "room_start",
    "room_update",
    "sanction_add",
    "sanction_lift",
    "shelf_add",
    "shelf_cards",
    "shelf_pin",
    "shelf_remove",
    "shelf_reorder",
    "stream_drop",
    "stream_key_rotate",
]
