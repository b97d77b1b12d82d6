"""Recording promoted impressions the server delivered (Fries billing and reports).

The feed reserves an impression when it places a promoted note; the promotion tick drains those
reservations and stores them here, in the same transaction that bills them, so the events and
the charge can never disagree. Each row carries the viewer's snapshot like any event, source
``promotion`` and the order in ``source_id``, and no client id (clients cannot forge one).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Model
from django.utils import timezone

from apps.accounts.models import Profile
from apps.analytics.days import analytics_zone
from apps.analytics.kinds import EventKind, EventSource, age_band_for
from apps.analytics.models import Event

BATCH = 1000


@dataclass(frozen=True, slots=True)
class DeliveredImpression:
    occurred_at: datetime
    viewer_id: int
    note_id: int
    author_id: int
    order_id: int


def promotion_impressions_record(*, impressions: Sequence[DeliveredImpression]) -> int:
    """Store delivered impressions as events; returns how many. Two queries for the viewers'
    snapshots, then one insert per thousand rows."""
    if not impressions:
        return 0
    viewer_ids = {item.viewer_id for item in impressions}
    profiles = {
        row[0]: row[1:]
        for row in Profile.objects.filter(user_id__in=viewer_ids).values_list(
            "user_id", "gender", "birth_year", "region"
        )
    }
    interests: dict[int, list[int]] = {}
    through: type[Model] = Profile.interests.through
    for profile_id, category_id in through.objects.filter(profile_id__in=viewer_ids).values_list(
        "profile_id", "category_id"
    ):
        interests.setdefault(profile_id, []).append(category_id)
    now = timezone.now()
    year = timezone.localtime(now, analytics_zone()).year
    rows = []
    for item in impressions:
        gender, birth_year, region = profiles.get(item.viewer_id, ("", None, ""))
        rows.append(
            Event(
                occurred_at=item.occurred_at,
                received_at=now,
                actor_id=item.viewer_id,
                note_id=item.note_id,
                author_id=item.author_id,
                source_id=item.order_id,
                kind=EventKind.IMPRESSION,
                source=EventSource.PROMOTION,
                gender=gender or "",
                age_band=age_band_for(birth_year, year),
                region=region or "",
                interests=sorted(interests.get(item.viewer_id, [])),
                properties={},
            )
        )
    for start in range(0, len(rows), BATCH):
        Event.objects.bulk_create(rows[start : start + BATCH])
    return len(rows)
