"""Event batches have their own budget: a busy client must not use up the user's write rate."""

from django.conf import settings

from apps.core.throttles import WriteRateThrottle


class EventBatchRateThrottle(WriteRateThrottle):
    """Per user, ``ANALYTICS_EVENTS_THROTTLE_RATE`` (env ``THROTTLE_EVENTS``)."""

    scope = "events"

    def get_rate(self) -> str | None:
        return settings.ANALYTICS_EVENTS_THROTTLE_RATE
