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
    # Recorded by the server on commit.
    LIKE = "like", "Like"
    UNLIKE = "unlike", "Unlike"
    COLLECT = "collect", "Collect"
    UNCOLLECT = "uncollect", "Uncollect"
    COMMENT = "comment", "Comment"
    FOLLOW = "follow", "Follow"
    UNFOLLOW = "unfollow", "Unfollow"


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
