"""Creator-center test data: real events rolled up, or rollup rows written directly."""

from datetime import date, timedelta

from apps.accounts.models import Follow, Profile
from apps.analytics.days import day_start, local_yesterday
from apps.analytics.models import (
    CreatorDaily,
    Event,
    FanActivityHourly,
    FanDemographicDaily,
    FanSourceDaily,
    NoteAudienceDaily,
    NoteDaily,
    NoteRetentionDaily,
    NoteSourceDaily,
)
from apps.analytics.rollups import rollup_run
from apps.notes.models import Note
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory


def last_days(days: int) -> list[date]:
    """The ``days`` complete Shanghai days ending yesterday, oldest first."""
    yesterday = local_yesterday()
    return [yesterday - timedelta(days=offset) for offset in reversed(range(days))]


def give_fans(creator, count: int) -> list[int]:
    """``count`` new users following ``creator`` (edges made a month ago, counters set)."""
    fans = [UserFactory() for _ in range(count)]
    made = day_start(local_yesterday() - timedelta(days=30))
    Follow.objects.bulk_create(
        [Follow(follower=fan, followee=creator, created_at=made) for fan in fans]
    )
    Profile.objects.filter(user=creator).update(fans_count=count)
    return [fan.pk for fan in fans]


def rolled_up_creator(creator, *, notes: int = 2, fans: int = 3) -> list[Note]:
    """Real events on the creator's notes and profile yesterday, then the nightly rollup."""
    made = [NoteFactory(author=creator) for _ in range(notes)]
    fan_ids = give_fans(creator, fans)
    yesterday = local_yesterday()
    start = day_start(yesterday)
    events = []
    for index, note in enumerate(made):
        for hour, kind in enumerate(["impression", "impression", "view", "like", "share"]):
            events.append(
                Event(
                    occurred_at=start + timedelta(hours=hour + index),
                    received_at=start + timedelta(hours=hour + index),
                    actor_id=fan_ids[hour % len(fan_ids)] if fan_ids else None,
                    note_id=note.pk,
                    author_id=creator.pk,
                    kind=kind,
                    source="feed",
                    dwell_ms=5_000 if kind == "view" else None,
                    gender="female",
                    age_band="25-34",
                    region="shanghai",
                    interests=[],
                )
            )
    for fan_id in fan_ids:
        events.append(
            Event(
                occurred_at=start + timedelta(hours=20),
                received_at=start + timedelta(hours=20),
                actor_id=fan_id,
                author_id=creator.pk,
                target_user_id=creator.pk,
                kind="profile_visit",
                source="note",
                interests=[],
            )
        )
    Event.objects.bulk_create(events)
    rollup_run(day=yesterday)
    return made


def rollup_rows(creator, *, notes: int, days: int, video: bool = False) -> list[Note]:
    """Rollup rows written directly: ``notes`` notes with a row per day over ``days`` days,
    and the creator's daily, fan source, demographic and activity rows."""
    made = [NoteFactory(author=creator, kind="video" if video else "image") for _ in range(notes)]
    dates = last_days(days)
    note_rows, sources, audience, retention = [], [], [], []
    for n, note in enumerate(made):
        for d, day in enumerate(dates):
            base = 100 + n + d
            note_rows.append(
                NoteDaily(
                    day=day,
                    note_id=note.pk,
                    author_id=creator.pk,
                    impressions=base * 10,
                    views=base,
                    unique_viewers=base - 1,
                    likes=n + 1,
                    collects=1,
                    comments=1,
                    shares=1,
                    follows=n % 3,
                    profile_visits=2,
                    dwell_ms_sum=base * 1000,
                    video_watches=10,
                    watch_ms_sum=100_000,
                    completion_sum=6.0,
                    completed_watches=4,
                    fan_impressions=base * 3,
                    fan_views=base // 2,
                )
            )
            sources += [
                NoteSourceDaily(
                    day=day,
                    note_id=note.pk,
                    author_id=creator.pk,
                    source=source,
                    impressions=base * 5,
                    views=base // 2,
                )
                for source in ("feed", "search")
            ]
            audience += [
                NoteAudienceDaily(
                    day=day,
                    note_id=note.pk,
                    author_id=creator.pk,
                    dimension="gender",
                    bucket=bucket,
                    viewers=viewers,
                )
                for bucket, viewers in (("female", 80), ("male", 60), ("undisclosed", 5))
            ]
            retention += [
                NoteRetentionDaily(
                    day=day, note_id=note.pk, author_id=creator.pk, decile=decile, watches=1
                )
                for decile in range(11)
            ]
    NoteDaily.objects.bulk_create(note_rows)
    NoteSourceDaily.objects.bulk_create(sources)
    NoteAudienceDaily.objects.bulk_create(audience)
    NoteRetentionDaily.objects.bulk_create(retention)
    CreatorDaily.objects.bulk_create(
        [
            CreatorDaily(
                day=day,
                creator_id=creator.pk,
                fans_total=1000 + d,
                new_fans=3,
                lost_fans=2,
                net_fans=1,
                profile_visits=4,
                impressions=500,
                views=50,
                likes=5,
                collects=2,
                comments=1,
                shares=1,
                engagements=9,
                active_fans_7d=300,
                active_fans_30d=600,
            )
            for d, day in enumerate(dates)
        ]
    )
    FanSourceDaily.objects.bulk_create(
        [
            FanSourceDaily(
                day=day,
                creator_id=creator.pk,
                source="note",
                source_id=made[d % len(made)].pk if made else 0,
                new_fans=2,
                lost_fans=1,
            )
            for d, day in enumerate(dates)
        ]
    )
    FanDemographicDaily.objects.bulk_create(
        [
            FanDemographicDaily(
                day=dates[-1], creator_id=creator.pk, dimension="gender", bucket=bucket, fans=fans
            )
            for bucket, fans in (("female", 700), ("male", 280), ("undisclosed", 20))
        ]
    )
    FanActivityHourly.objects.bulk_create(
        [
            FanActivityHourly(
                day=day,
                creator_id=creator.pk,
                weekday=day.weekday(),
                hour=hour,
                active_fans=hour + 1,
            )
            for day in dates[-30:]
            for hour in range(24)
        ]
    )
    return made
