"""Moderation reads: account health for the creator center, my reports, operator queues."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.moderation.health import StrikePolicy, restriction_end, strike_policy
from apps.moderation.models import (
    Appeal,
    AppealStatus,
    Case,
    CaseStatus,
    Report,
    Strike,
    StrikeStatus,
)


class HealthStatus:
    GOOD = "good"
    WARNING = "warning"
    RESTRICTED = "restricted"


@dataclass(frozen=True)
class AccountHealth:
    status: str
    can_post: bool
    restricted_until: datetime | None
    active_strikes: int
    policy: StrikePolicy
    strikes: list[Strike]  # in the window, newest first, with case and appeal joined
    now: datetime


def account_health(*, user: Any, now: datetime | None = None) -> AccountHealth:
    """Strikes in the window, the restriction in force and each strike's appeal, in one query."""
    now = now or timezone.now()
    policy = strike_policy()
    strikes = list(
        Strike.objects.filter(user_id=user.pk, created_at__gte=now - policy.lookback)
        .select_related("case", "appeal")
        .order_by("-created_at", "-id")
    )
    until = restriction_end(
        [s.created_at for s in strikes if s.status == StrikeStatus.ACTIVE], policy=policy, now=now
    )
    in_window = [s for s in strikes if s.created_at >= now - policy.window]
    active = sum(1 for s in in_window if s.status == StrikeStatus.ACTIVE)
    if until is not None:
        status = HealthStatus.RESTRICTED
    elif active:
        status = HealthStatus.WARNING
    else:
        status = HealthStatus.GOOD
    return AccountHealth(
        status=status,
        can_post=until is None,
        restricted_until=until,
        active_strikes=active,
        policy=policy,
        strikes=in_window,
        now=now,
    )


def posting_restrictions(
    *, user_ids: Iterable[int], now: datetime | None = None
) -> dict[int, datetime]:
    """The users among ``user_ids`` whose posting restriction is in force, with its end, in one
    query (brands' eligibility gate checks a whole batch of creators at once)."""
    ids = set(user_ids)
    if not ids:
        return {}
    now = now or timezone.now()
    policy = strike_policy()
    times: dict[int, list[datetime]] = {}
    rows = Strike.objects.filter(
        user_id__in=ids, status=StrikeStatus.ACTIVE, created_at__gte=now - policy.lookback
    ).values_list("user_id", "created_at")
    for user_id, created_at in rows:
        times.setdefault(user_id, []).append(created_at)
    found = {}
    for user_id, strike_times in times.items():
        until = restriction_end(strike_times, policy=policy, now=now)
        if until is not None:
            found[user_id] = until
    return found


def report_list(*, user: Any) -> QuerySet[Report]:
    """The reports the user made, with their case's outcome joined."""
    return Report.objects.filter(reporter_id=user.pk).select_related("case")


def review_queue() -> QuerySet[Case]:
    """Open cases, most-reported first, then oldest first."""
    return Case.objects.filter(status=CaseStatus.OPEN).order_by(
        "-reporter_count", "opened_at", "id"
    )


def appeal_queue() -> QuerySet[Appeal]:
    """Pending appeals, oldest first."""
    return (
        Appeal.objects.filter(status=AppealStatus.PENDING)
        .select_related("strike__case", "user")
        .order_by("created_at", "id")
    )


def users_with_active_strikes() -> QuerySet[Strike]:
    """Active strikes (not revoked), for set-based callers that exclude their users (program
    eligibility uses ``Exists`` on it per user, through ``strike_user_idx``)."""
    return Strike.objects.filter(status=StrikeStatus.ACTIVE)
