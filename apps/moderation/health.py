"""Account health from strikes: the posting restriction is computed, never stored.

THRESHOLD active strikes whose span fits in WINDOW_DAYS stop posting for RESTRICTION_DAYS from
the strike that completed the set. Being computed from the strikes themselves, a restriction
ends on its own and disappears at once when an appeal revokes one of its strikes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.core.errors import Forbidden
from apps.moderation.models import Strike, StrikeStatus


@dataclass(frozen=True)
class StrikePolicy:
    window: timedelta
    threshold: int
    restriction: timedelta
    appeal_window: timedelta

    @property
    def lookback(self) -> timedelta:
        """How far back a strike can still matter for a restriction in force today."""
        return self.window + self.restriction


def strike_policy() -> StrikePolicy:
    return StrikePolicy(
        window=timedelta(days=settings.MODERATION_STRIKE_WINDOW_DAYS),
        threshold=max(1, settings.MODERATION_STRIKE_THRESHOLD),
        restriction=timedelta(days=settings.MODERATION_RESTRICTION_DAYS),
        appeal_window=timedelta(days=settings.MODERATION_APPEAL_DAYS),
    )


def restriction_end(
    active_strike_times: Sequence[datetime], *, policy: StrikePolicy, now: datetime
) -> datetime | None:
    """When the posting restriction ends, or None when there is none in force."""
    times = sorted(active_strike_times)
    end: datetime | None = None
    for last in range(policy.threshold - 1, len(times)):
        first = last - policy.threshold + 1
        if times[last] - times[first] <= policy.window:
            candidate = times[last] + policy.restriction
            end = candidate if end is None or candidate > end else end
    if end is None or end <= now:
        return None
    return end


def posting_restricted_until(user_id: int, *, now: datetime | None = None) -> datetime | None:
    """The end of the user's posting restriction, in one indexed query."""
    now = now or timezone.now()
    policy = strike_policy()
    times = Strike.objects.filter(
        user_id=user_id, status=StrikeStatus.ACTIVE, created_at__gte=now - policy.lookback
    ).values_list("created_at", flat=True)
    return restriction_end(list(times), policy=policy, now=now)


class PostingRestricted(Forbidden):
    code = "account.posting_restricted"

    def __init__(self, until: datetime) -> None:
        super().__init__(
            f"Your account cannot post until {until.isoformat(timespec='minutes')} "
            "because of repeated violations."
        )
        self.until = until


def ensure_can_post(user: Any) -> None:
    """Raise 403 ``account.posting_restricted`` while the user's strikes forbid posting."""
    if user is None or not getattr(user, "pk", None):
        return
    until = posting_restricted_until(user.pk)
    if until is not None:
        raise PostingRestricted(until)
