"""Rewriting creators' discovery rows from their profiles and the analytics metrics.

``discovery_rows_refresh(creator_ids=...)`` recomputes a batch of creators in a fixed number of
queries (about fifteen, whatever the batch size): the profiles and their categories (two),
eligibility (three), the demographics snapshot (two), the last 30 published notes and their
figures (two), active fans (one), fans never active (one), follow bursts (two), then one upsert.
The nightly task walks every profile in batches of ``BRANDS_DISCOVERY_BATCH``; a creator's own
profile write refreshes their row at once, in the same transaction.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from apps.accounts.models import Gender
from apps.accounts.regions import REGION_CODES
from apps.analytics import metrics_brands
from apps.analytics.days import day_start, local_yesterday
from apps.analytics.models import AudienceDimension
from apps.analytics.periods import period_ending
from apps.brands.authenticity import AuthenticityInputs, authenticity_score, fit_score
from apps.brands.profile_models import (
    RATE_FIELDS,
    REGION_POSITIONS,
    CooperationProfile,
    CooperationProfileCategory,
    CreatorDiscoveryRow,
)
from apps.brands.profile_selectors import eligibility_for
from apps.creators.privacy import Bucket, withhold
from apps.notes.models import PUBLICLY_VISIBLE, Note

ALL_BUCKETS = {
    AudienceDimension.GENDER: list(Gender.values),
    AudienceDimension.REGION: [*sorted(REGION_CODES), ""],
}
RECENT_NOTES = 30  # engagement rate over the creator's last 30 published notes
NOTE_FIGURE_DAYS = 90  # ... from the reads and engagements they had over the last 90 days
BURST_WINDOW_DAYS = 30
BURST_DETAIL = 5  # burst hours kept on the row for the data card
ROW_FIELDS = [
    "eligible",
    "fans",
    "recent_notes",
    "posting_restricted",
    *RATE_FIELDS.values(),
    "availability",
    "busy_until",
    "category_ids",
    "region_shares",
    "region_ids",
    "female_share",
    "male_share",
    "engagement_rate",
    "engagement_notes",
    "engagement_reads",
    "engagement_total",
    "authenticity_score",
    "active_fans_share",
    "never_active_share",
    "follows_30d",
    "burst_hours",
    "burst_follows",
    "burst_detail",
    "fit_score",
    "demographics_as_of",
    "refreshed_at",
]


def _visible_shares(rows: list[tuple[str, str, int]], dimension: str) -> dict[str, float]:
    """Shares of the buckets the creator center would show (withheld ones are left out)."""
    buckets = [Bucket(key=b, value=n, people=n) for d, b, n in rows if d == dimension]
    # Every possible bucket, as the creator center lists them (empty ones count as withheld).
    labels = {key: key for key in ALL_BUCKETS[dimension]} | {b.key: b.key for b in buckets}
    return {
        entry["bucket"]: entry["share"]
        for entry in withhold(buckets, labels=labels)
        if not entry["withheld"]
    }


def _recent_note_ids(creator_ids: set[int]) -> dict[int, list[int]]:
    """Each creator's last ``RECENT_NOTES`` published notes, newest first. One query."""
    ranked = (
        Note.objects.filter(PUBLICLY_VISIBLE, author_id__in=creator_ids)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("author_id")],
                order_by=[F("published_at").desc(), F("id").desc()],
            )
        )
        .filter(position__lte=RECENT_NOTES)
        .values_list("author_id", "id")
    )
    found: dict[int, list[int]] = {}
    for author_id, note_id in ranked:
        found.setdefault(author_id, []).append(note_id)
    return found


def _rows(creator_ids: set[int], now: datetime) -> Iterator[CreatorDiscoveryRow]:
    # Locked in key order: a profile deleted meanwhile cannot leave a row behind, and a creator's
    # own save (which locks their profile first, then refreshes) waits for the batch or precedes.
    profiles = {
        profile.pk: profile
        for profile in CooperationProfile.objects.select_for_update()
        .filter(creator_id__in=creator_ids)
        .order_by("creator_id")
    }
    ids = set(profiles)
    if not ids:
        return
    categories: dict[int, list[int]] = {}
    for profile_id, category_id in CooperationProfileCategory.objects.filter(
        profile_id__in=ids
    ).values_list("profile_id", "category_id"):
        categories.setdefault(profile_id, []).append(category_id)
    yesterday = local_yesterday(now)
    eligibility = eligibility_for(creator_ids=ids, now=now)
    snapshots = metrics_brands.fan_demographic_snapshots(
        creator_ids=ids,
        day=yesterday,
        dimensions=[AudienceDimension.GENDER, AudienceDimension.REGION],
    )
    recent = _recent_note_ids(ids)
    engagement = metrics_brands.notes_engagement_by_author(
        author_ids=ids,
        note_ids=[note_id for notes in recent.values() for note_id in notes],
        period=period_ending(end=yesterday, days=NOTE_FIGURE_DAYS),
    )
    states = metrics_brands.latest_creator_states(creator_ids=ids, day=yesterday)
    never = metrics_brands.fans_never_active(creator_ids=ids)
    until = day_start(yesterday + timedelta(days=1))
    bursts = metrics_brands.follow_bursts(
        creator_ids=ids,
        since=until - timedelta(days=BURST_WINDOW_DAYS),
        until=until,
        min_follows=settings.BRANDS_BURST_MIN_FOLLOWS,
        factor=settings.BRANDS_BURST_FACTOR,
    )
    for creator_id, profile in profiles.items():
        standing = eligibility[creator_id]
        snapshot_day, snapshot = snapshots.get(creator_id, (None, []))
        gender = _visible_shares(snapshot, AudienceDimension.GENDER)
        regions = _visible_shares(snapshot, AudienceDimension.REGION)
        figures = engagement.get(creator_id, {"views": 0, "engagements": 0, "notes": 0})
        rate = figures["engagements"] / figures["views"] if figures["views"] else 0.0
        state = states.get(creator_id)
        fans_graph = never.get(creator_id, {"fans": 0, "never_active": 0})
        burst = bursts.get(creator_id)
        inputs = AuthenticityInputs(
            fans=fans_graph["fans"],
            active_fans_30d=state["active_fans_30d"] if state else 0,
            never_active=fans_graph["never_active"],
            follows_30d=burst.follows if burst else 0,
            burst_follows=burst.burst_follows if burst else 0,
        )
        score = authenticity_score(inputs)
        row = CreatorDiscoveryRow(
            creator_id=creator_id,
            eligible=standing.eligible,
            fans=standing.fans,
            recent_notes=standing.recent_notes,
            posting_restricted=standing.restricted_until is not None,
            availability=profile.availability,
            busy_until=profile.busy_until,
            category_ids=sorted(categories.get(creator_id, [])),
            region_shares=regions,
            region_ids=sorted(
                REGION_POSITIONS[code] for code in regions if code in REGION_POSITIONS
            ),
            female_share=gender.get("female"),
            male_share=gender.get("male"),
            engagement_rate=round(rate, 4),
            engagement_notes=figures["notes"],
            engagement_reads=figures["views"],
            engagement_total=figures["engagements"],
            authenticity_score=score,
            active_fans_share=inputs.active_share,
            never_active_share=inputs.never_active_share,
            follows_30d=inputs.follows_30d,
            burst_hours=len(burst.bursts) if burst else 0,
            burst_follows=inputs.burst_follows,
            burst_detail=[
                {"hour": hour.isoformat(), "follows": count}
                for hour, count in (burst.bursts[:BURST_DETAIL] if burst else [])
            ],
            fit_score=fit_score(engagement_rate=rate, authenticity=score, fans=standing.fans),
            demographics_as_of=snapshot_day,
            refreshed_at=now,
        )
        for field in RATE_FIELDS.values():
            setattr(row, field, getattr(profile, field))
        yield row


def discovery_rows_refresh(*, creator_ids: Iterable[int], now: datetime | None = None) -> int:
    """Recompute the discovery rows of the creators' profiles (those without one are skipped);
    returns how many rows were written. One transaction, a fixed number of queries."""
    now = now or timezone.now()
    ids = set(creator_ids)
    with transaction.atomic():
        rows = list(_rows(ids, now))
        if rows:
            CreatorDiscoveryRow.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["creator"], update_fields=ROW_FIELDS
            )
    return len(rows)


def discovery_refresh_all(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Every profile's row, in batches by creator id (each batch its own transaction)."""
    now = now or timezone.now()
    size = batch or settings.BRANDS_DISCOVERY_BATCH
    written, after = 0, 0
    while True:
        ids = list(
            CooperationProfile.objects.filter(creator_id__gt=after)
            .order_by("creator_id")
            .values_list("creator_id", flat=True)[:size]
        )
        if not ids:
            return written
        written += discovery_rows_refresh(creator_ids=ids, now=now)
        after = ids[-1]
