"""Quotes and eligibility: what an order would buy, and whether this note may be promoted.

No money moves here. The quote's formulas (docs/promotion.md):

    impressions = floor(budget × 1000 / cpm)
    result      = impressions × rate(objective, category)      rate from the metrics module
    range       = [floor(result × 0.7), ceil(result × 1.3)]

``rate`` is the category's results per impression over the last 7 rolled-up days; without
data the platform defaults below are used (and the quote says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.accounts.models import User
from apps.analytics import metrics_promotion
from apps.brands import selectors as brands
from apps.core.errors import Conflict, Forbidden, InvalidInput
from apps.moderation.health import posting_restricted_until
from apps.moderation.targets import Visibility as ModerationVisibility
from apps.notes import selectors as note_selectors
from apps.notes.models import Note, NoteStatus, NoteVisibility
from apps.promotion import targeting
from apps.promotion.models import LIVE_STATUSES, Objective, PromotionOrder, TargetingMode

PRESET_BUDGETS = (7_500, 20_000)  # ¥75, ¥200
MIN_BUDGET, MAX_BUDGET = 7_500, 750_000  # ¥75 .. ¥7,500, whole yuan
DURATIONS_HOURS = (6, 12, 24, 48, 72, 168)
MAX_START_DELAY = timedelta(days=7)
RANGE_LOW, RANGE_HIGH = 0.7, 1.3
# Results per impression when a category has no recent data.
DEFAULT_RATES = {Objective.READS: 0.08, Objective.ENGAGEMENT: 0.01, Objective.FANS: 0.002}
RATE_FIELD = {
    Objective.READS: "reads",
    Objective.ENGAGEMENT: "likes_collects",
    Objective.FANS: "new_fans",
}


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    note_id: int
    objective: str
    budget: int
    duration_hours: int
    targeting_mode: str
    targeting: dict[str, Any]
    starts_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    note: Note
    request: QuoteRequest
    audience: dict[str, list]
    audience_size: int
    cpm: int
    estimated_impressions: int
    rate: float
    rate_source: str  # "category" or "default"
    results_low: int
    results_high: int
    starts_at: datetime
    ends_at: datetime


def budget_check(budget: int) -> None:
    if budget in PRESET_BUDGETS or (MIN_BUDGET <= budget <= MAX_BUDGET and budget % 100 == 0):
        return
    raise InvalidInput(
        "The budget is ¥75, ¥200, or whole yuan from ¥75 to ¥7,500 (in fen: 7500 to 750000, "
        "a multiple of 100).",
        code="promotion.budget_invalid",
        fields={"budget": ["7500 to 750000 fen, a multiple of 100."]},
    )


def window_for(request: QuoteRequest, *, now: datetime) -> tuple[datetime, datetime]:
    """When the order would run: now, or the scheduled start within 7 days."""
    if request.duration_hours not in DURATIONS_HOURS:
        raise InvalidInput(
            "The duration is 6, 12 or 24 hours, or 2, 3 or 7 days.",
            code="promotion.duration_invalid",
            fields={"duration_hours": [f"One of {', '.join(map(str, DURATIONS_HOURS))}."]},
        )
    start = request.starts_at or now
    if start < now - timedelta(minutes=1) or start > now + MAX_START_DELAY:
        raise InvalidInput(
            "A scheduled start is between now and 7 days from now.",
            code="promotion.start_invalid",
            fields={"starts_at": ["Between now and 7 days from now."]},
        )
    start = max(start, now)
    return start, start + timedelta(hours=request.duration_hours)


def note_check_eligible(*, note: Note, creator: User) -> bool:
    """Own, published, public, approved by moderation, author not restricted, not a sponsored
    note without the brand's boost right, no other live order. Raises the first refusal;
    returns whether the note is sponsored (its boost right must then cover the whole run)."""
    if note.author_id != creator.pk:
        raise Forbidden("Only the note's author can promote it.", code="promotion.not_author")
    if note.status != NoteStatus.PUBLISHED:
        raise Conflict(
            "Only a published note can be promoted.", code="promotion.note_not_published"
        )
    if note.visibility != NoteVisibility.PUBLIC:
        raise Conflict("A private note cannot be promoted.", code="promotion.note_private")
    if note.moderation != ModerationVisibility.VISIBLE:
        raise Conflict(
            "A note hidden or under review by moderation cannot be promoted.",
            code="promotion.note_moderated",
        )
    if posting_restricted_until(creator.pk) is not None:
        raise Forbidden(
            "Your account is restricted and cannot promote notes.",
            code="promotion.author_restricted",
        )
    sponsored = note.pk in brands.sponsored_note_ids([note.pk])
    if sponsored and note.pk not in brands.boost_right_holders([note.pk], timezone.now()):
        raise Conflict(
            "A sponsored cooperation note can be promoted only with the brand's boost right.",
            code="promotion.sponsored_without_right",
        )
    if PromotionOrder.objects.filter(note_id=note.pk, status__in=LIVE_STATUSES).exists():
        raise Conflict(
            "This note already has a promotion order in progress.",
            code="promotion.note_has_live_order",
        )
    return sponsored


def boost_right_check_covers(*, note: Note, ends_at: datetime) -> None:
    """A sponsored note's run must end before the brand's boost right does: a right that
    lapses mid-run would leave the note promoted without it."""
    if note.pk not in brands.boost_right_holders([note.pk], ends_at):
        raise Conflict(
            "The brand's boost right on this sponsored note ends before the promotion would: "
            "choose a shorter or earlier run.",
            code="promotion.boost_right_ends_early",
            fields={"duration_hours": ["The run must end before the boost right expires."]},
        )


def _own_note(*, note_id: int, creator: User) -> Note:
    """The note if the creator may see it (404 otherwise, like any hidden id)."""
    return note_selectors.note_get_for_viewer(note_id=note_id, viewer=creator)


def quote_build(*, creator: User, request: QuoteRequest, now: datetime | None = None) -> Quote:
    """Everything the creator sees before paying; refuses what payment would refuse."""
    now = now or timezone.now()
    note = _own_note(note_id=request.note_id, creator=creator)
    sponsored = note_check_eligible(note=note, creator=creator)
    if request.objective not in Objective.values:
        raise InvalidInput("Unknown objective.", code="promotion.objective_invalid")
    budget_check(request.budget)
    starts_at, ends_at = window_for(request, now=now)
    if sponsored:
        boost_right_check_covers(note=note, ends_at=ends_at)
    if request.targeting_mode == TargetingMode.CUSTOM:
        audience = targeting.audience_validate(request.targeting)
    else:
        audience = targeting.audience_smart(category_id=note.category_id, author_id=note.author_id)
    size = targeting.audience_size(audience, exclude_user_id=creator.pk)
    targeting.audience_check(size)
    cpm = settings.PROMOTION_CPM_FEN
    impressions = request.budget * 1000 // cpm
    rates = metrics_promotion.category_rates(category_id=note.category_id, now=now)
    found = getattr(rates, RATE_FIELD[request.objective])
    rate, source = (
        (found, "category")
        if found is not None
        else (
            DEFAULT_RATES[request.objective],
            "default",
        )
    )
    expected = impressions * rate
    return Quote(
        note=note,
        request=request,
        audience=audience,
        audience_size=size,
        cpm=cpm,
        estimated_impressions=impressions,
        rate=rate,
        rate_source=source,
        results_low=math.floor(expected * RANGE_LOW),
        results_high=math.ceil(expected * RANGE_HIGH),
        starts_at=starts_at,
        ends_at=ends_at,
    )
