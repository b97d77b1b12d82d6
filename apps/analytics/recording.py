"""How other apps' happenings become server events.

Accounts sits below analytics, so it cannot call analytics: it announces follow changes through
its listener registry (``apps.accounts.hooks``), and ``AnalyticsConfig.ready()`` registers
``record_follow_event`` there. The event is written after the transaction commits (never for a
rolled-back follow), with the actor's snapshot, by ``services.server_event_enqueue``, which
the apps above analytics (notes) call directly.
"""

from apps.accounts.hooks import FollowChange, FollowEvent
from apps.analytics.kinds import EventKind
from apps.analytics.services import server_event_enqueue

FOLLOW_EVENT_KINDS = {
    FollowChange.FOLLOW: EventKind.FOLLOW,
    FollowChange.UNFOLLOW: EventKind.UNFOLLOW,
}


def record_follow_event(event: FollowEvent) -> None:
    """Record a follow or unfollow once the follow transaction commits."""
    server_event_enqueue(
        kind=FOLLOW_EVENT_KINDS[event.change],
        actor_id=event.follower_id,
        target_user_id=event.followee_id,
        source=event.source,
        source_id=event.source_id,
    )
