"""The post-live report: the room's figures from analytics events, commerce's sales, presence.

Formulas (docs/live.md): duration = ended_at - started_at; average viewers = watch time /
duration; unique viewers, watch time, chat messages, likes, gifts, new fans and product clicks
from ``apps.analytics.metrics_live``; orders and GMV from commerce (``room_sales``); the peak
from presence, kept on the room when it ended. Recomputing gives the same row.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.analytics.metrics_live import average_viewers, live_room_figures
from apps.commerce import selectors as commerce
from apps.live.models import Report, Room

# Events recorded just after the end (sockets closing as the room ends) still count.
GRACE = timedelta(minutes=5)


@transaction.atomic
def report_compute(*, room_id: int) -> Report:
    room = Room.objects.select_for_update().get(pk=room_id)
    since = room.started_at or room.created_at
    until = (room.ended_at or timezone.now()) + GRACE
    figures = live_room_figures(room_id=room.pk, since=since, until=until)
    sales = commerce.room_sales(room.pk)
    duration = room.duration_seconds
    report, _ = Report.objects.update_or_create(
        room=room,
        defaults={
            "duration_seconds": duration,
            "peak_viewers": room.peak_viewers,
            "average_viewers": average_viewers(
                watch_ms=figures.watch_ms, duration_seconds=duration
            ),
            "unique_viewers": figures.unique_viewers,
            "watch_seconds": figures.watch_ms // 1000,
            "chat_messages": figures.chat_messages,
            "likes": figures.likes,
            "gifts_count": figures.gifts_count,
            "gifts_income": figures.gifts_income,
            "new_fans": figures.new_fans,
            "product_clicks": figures.product_clicks,
            "orders": sales.get("orders", 0),
            "gmv": sales.get("gmv", 0),
            "computed_at": timezone.now(),
        },
    )
    return report
