"""The vocabulary of events, shared by clients, the server and the rollups."""

from django.db import models


class EventKind(models.TextChoices):
    # Sent by clients in batches.
    IMPRESSION = "impression", "Impression"
    VIEW = "view", "View (with dwell time)"
    VIDEO_WATCH = "video_watch", "Video watch (time and completion)"
    SHARE = "share", "Share"
    PROFILE_VISIT = "profile_visit", "Profile visit"
    PRODUCT_CLICK = "product_click", "Product click"
    LIVE_ENTER = "live_enter", "Live room enter"
    LIVE_LEAVE = "live_leave", "Live room leave"
    ADD_TO_CART = "add_to_cart", "Add to cart"
    # Recorded by the server on commit.
    LIKE = "like", "Like"
    UNLIKE = "unlike", "Unlike"
    COLLECT = "collect", "Collect"
    UNCOLLECT = "uncollect", "Uncollect"
    COMMENT = "comment", "Comment"
    FOLLOW = "follow", "Follow"
    UNFOLLOW = "unfollow", "Unfollow"
    LINK_CLICK = "link_click", "Tracked link click"
    ORDER = "order", "Order paid (one per line)"
    REFUND = "refund", "Order refunded (one per line)"
    # Recorded by live rooms: a viewer's watch session (watch_ms), a chat message, a second's
    # likes from one server process (properties.count), a gift (properties.amount, .income).
    LIVE_WATCH = "live_watch", "Live watch session"
    LIVE_CHAT = "live_chat", "Live chat message"
    LIVE_LIKE = "live_like", "Live likes (aggregated)"
    LIVE_GIFT = "live_gift", "Live gift"


CLIENT_KINDS = frozenset(
    {
        EventKind.IMPRESSION,
        EventKind.VIEW,
        EventKind.VIDEO_WATCH,
        EventKind.SHARE,
        EventKind.PROFILE_VISIT,
        EventKind.PRODUCT_CLICK,
        EventKind.LIVE_ENTER,
        EventKind.LIVE_LEAVE,
        EventKind.ADD_TO_CART,
    }
)


class EventSource(models.TextChoices):
    FEED = "feed", "Discovery feed"
    FOLLOW_FEED = "follow_feed", "Following feed"
    SEARCH = "search", "Search"
    PROFILE = "profile", "Profile"
    TOPIC = "topic", "Topic page"
    PROMOTION = "promotion", "Promotion"
    LIVE = "live", "Live room"
    NOTE = "note", "Note page"
    OTHER = "other", "Other"


SERVER_KINDS = frozenset(EventKind.values) - CLIENT_KINDS
CLIENT_KIND_CHOICES = [(kind.value, kind.label) for kind in EventKind if kind in CLIENT_KINDS]


class AgeBand(models.TextChoices):
    """Age bands the creator center reports; computed from the birth year when recorded."""

    UNDER_18 = "<18", "Under 18"
    FROM_18 = "18-24", "18 to 24"
    FROM_25 = "25-34", "25 to 34"
    FROM_35 = "35-44", "35 to 44"
    FROM_45 = "45+", "45 and over"
    UNKNOWN = "", "Unknown"


def age_band_for(birth_year: int | None, year: int) -> str:
    """The band of someone born in ``birth_year`` during ``year`` ("" when unknown)."""
    if not birth_year:
        return AgeBand.UNKNOWN
    age = year - birth_year
    if age < 18:
        return AgeBand.UNDER_18
    if age < 25:
        return AgeBand.FROM_18
    if age < 35:
        return AgeBand.FROM_25
    if age < 45:
        return AgeBand.FROM_35
    return AgeBand.FROM_45
