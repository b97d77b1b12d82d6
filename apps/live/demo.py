"""Live demo data for ``manage.py seed_demo``: the gift catalogue and the demo user's rooms.

The demo account gets a scheduled room (tomorrow evening, with reminders from a few fans), and
a past room that went live and ended, with chat, a moderator, blocked words and a computed
post-live report; a couple of creators host scheduled rooms so the room list is not empty.
Idempotent: gifts by name, rooms by (host, title); a second run adds nothing.
"""

from datetime import timedelta

from django.utils import timezone

from apps.core.seeding import DemoContext
from apps.live import services
from apps.live.models import ChatMessage, GiftKind, LiveBlockedWord, Reminder, Room

GIFTS = [("Rose", 100, "rose"), ("Heart", 520, "heart"), ("Rocket", 9_900, "rocket")]
PAST_TITLE = "Spring skincare Q&A"
NEXT_TITLE = "Weekend outfit picks"
CHAT = ["Hello!", "Which serum was that?", "Love this look", "Price please", "Thank you!"]


def _room(host_id: int, title: str, **fields: object) -> tuple[Room, bool]:
    existing = Room.objects.filter(host_id=host_id, title=title).first()
    if existing is not None:
        return existing, False
    return Room.objects.create(host_id=host_id, title=title, **fields), True


def seed(ctx: DemoContext) -> None:
    for name, price, icon in GIFTS:
        GiftKind.objects.get_or_create(name=name, defaults={"price": price, "icon": icon})
    demo = ctx.demo_user_id
    fans = [user_id for user_id in ctx.user_ids if user_id != demo][:8]
    now = timezone.now()

    upcoming, created = _room(
        demo, NEXT_TITLE, category="fashion", scheduled_at=now + timedelta(days=1, hours=3)
    )
    if created:
        Reminder.objects.bulk_create([Reminder(room=upcoming, user_id=fan) for fan in fans[:4]])

    past, created = _room(
        demo,
        PAST_TITLE,
        category="beauty",
        scheduled_at=now - timedelta(days=2, hours=1),
        status="ended",
        started_at=now - timedelta(days=2),
        ended_at=now - timedelta(days=2) + timedelta(minutes=47),
        ended_by="stream",
        stream_name=f"h{demo}",
        peak_viewers=len(fans),
    )
    if created:
        ChatMessage.objects.bulk_create(
            [
                ChatMessage(
                    room=past,
                    author_id=fan,
                    text=CHAT[n % len(CHAT)],
                    created_at=past.started_at + timedelta(minutes=n * 4),
                )
                for n, fan in enumerate(fans)
            ]
        )
        services.report_compute(room_id=past.pk)
    if fans and not LiveBlockedWord.objects.filter(host_id=demo).exists():
        host = past.host
        services.blocked_word_add(host=host, word="spam", action="block")
        services.blocked_word_add(host=host, word="cheap", action="mask")
        services.moderator_add(host=host, user_id=fans[0], room=None)

    for creator in ctx.creator_ids[:2]:
        if creator != demo:
            _room(
                creator,
                "Cooking live: dumplings",
                category="food",
                scheduled_at=now + timedelta(hours=6),
            )
    ctx.stdout.write("live: gift catalogue, the demo user's rooms, chat and a report")
