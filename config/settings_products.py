"""Settings of the product apps (brands, commerce, live, promotion, programs), one block each.

``config.settings`` star-imports this module at its end: the blocks read the base settings
(``env``, ``DEBUG``, ``REDIS_URL``...) and add their Celery beat entries and schema enum names
to the base's ``CELERY_BEAT_SCHEDULE`` and ``SPECTACULAR_SETTINGS``.
"""

from celery.schedules import crontab

from config.settings import (
    CACHE_KEY_PREFIX,
    CELERY_BEAT_SCHEDULE,
    CHANNEL_LAYERS,
    DEBUG,
    REDIS_URL,
    SPECTACULAR_SETTINGS,
    env,
)

# Programs: MCN contracts, growth programs, academy (docs/programs.md)
PROGRAMS_CONTRACT_REQUEST_DAYS = env.int("PROGRAMS_CONTRACT_REQUEST_DAYS", default=7)
PROGRAMS_TERMINATION_DAYS = env.int("PROGRAMS_TERMINATION_DAYS", default=7)
CELERY_BEAT_SCHEDULE["programs-contract-deadlines"] = {
    "task": "apps.programs.tasks.contracts_deadlines",
    "schedule": crontab(minute="*/10"),
}
CELERY_BEAT_SCHEDULE["programs-nightly"] = {
    "task": "apps.programs.tasks.programs_nightly",
    "schedule": crontab(hour=3, minute=0),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ContractStatusEnum": "apps.programs.models.ContractStatus",
        "ApplicationStatusEnum": "apps.programs.models.ApplicationStatus",
        "RegistrationStatusEnum": "apps.programs.models.RegistrationStatus",
        "TopicStatusEnum": "apps.programs.models.TopicStatus",
    }
)

# Brands: cooperation marketplace (campaigns, cooperations, protection, rights, ratings) ---
BRANDS_FEE_RATE = env.str("BRANDS_FEE_RATE", default="0.10")  # of the price, paid by the brand
BRANDS_INVITATION_DAYS = env.int("BRANDS_INVITATION_DAYS", default=7)  # invited/offers expire
BRANDS_AUTO_APPROVE_DAYS = env.int("BRANDS_AUTO_APPROVE_DAYS", default=14)  # brand silence
BRANDS_SETTLEMENT_DAYS = env.int("BRANDS_SETTLEMENT_DAYS", default=3)  # published -> completed
BRANDS_MAX_REVISION_ROUNDS = env.int("BRANDS_MAX_REVISION_ROUNDS", default=2)
BRANDS_PROTECTION_REQUEST_HOURS = env.int("BRANDS_PROTECTION_REQUEST_HOURS", default=48)
BRANDS_RIGHTS_ALERT_DAYS = env.int("BRANDS_RIGHTS_ALERT_DAYS", default=7)
BRANDS_RATING_EDIT_DAYS = env.int("BRANDS_RATING_EDIT_DAYS", default=7)
BRANDS_CART_MAX = env.int("BRANDS_CART_MAX", default=50)  # invitations in one cart
CELERY_BEAT_SCHEDULE["brands-cooperation-deadlines"] = {
    "task": "apps.brands.tasks.cooperation_deadlines_run",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["brands-protection-requests-lapse"] = {
    "task": "apps.brands.tasks.protection_requests_lapse",
    "schedule": 600.0,
}
CELERY_BEAT_SCHEDULE["brands-usage-rights-alerts"] = {
    "task": "apps.brands.tasks.usage_rights_alert",
    "schedule": crontab(hour=9, minute=0),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "CooperationStatusEnum": "apps.brands.cooperation_models.CooperationStatus",
        "DeliverableKindEnum": "apps.brands.profile_models.Deliverable",
        "CampaignModeEnum": "apps.brands.cooperation_models.CampaignMode",
        "CampaignStatusEnum": "apps.brands.cooperation_models.CampaignStatus",
        "CooperationSideEnum": "apps.brands.cooperation_models.Side",
        "ProtectedChangeEnum": "apps.brands.aftercare_models.ProtectedChange",
        "ProtectionRequestStatusEnum": "apps.brands.aftercare_models.ProtectionRequestStatus",
        "UsageRightKindEnum": "apps.brands.aftercare_models.UsageRightKind",
    }
)

# Brands discovery: eligibility gate, authenticity score, discovery refresh.
# A creator is listed to brands with at least MIN_FANS fans, MIN_RECENT_NOTES notes published in
# the last RECENT_NOTES_DAYS days and no posting restriction in force.
BRANDS_MIN_FANS = env.int("BRANDS_MIN_FANS", default=5_000)
BRANDS_MIN_RECENT_NOTES = env.int("BRANDS_MIN_RECENT_NOTES", default=10)
BRANDS_RECENT_NOTES_DAYS = env.int("BRANDS_RECENT_NOTES_DAYS", default=180)
# Follow bursts: an hour with at least BURST_MIN_FOLLOWS follows and BURST_FACTOR times the
# creator's mean hourly rate over the last 30 days.
BRANDS_BURST_MIN_FOLLOWS = env.int("BRANDS_BURST_MIN_FOLLOWS", default=20)
BRANDS_BURST_FACTOR = env.float("BRANDS_BURST_FACTOR", default=10.0)
# Creators refreshed per batch by the nightly discovery refresh (a fixed number of queries each).
BRANDS_DISCOVERY_BATCH = env.int("BRANDS_DISCOVERY_BATCH", default=500)
# After the 02:00 rollup (Asia/Shanghai), so the rows read yesterday's figures.
CELERY_BEAT_SCHEDULE["brands-discovery-refresh"] = {
    "task": "apps.brands.discovery_tasks.brands_discovery_refresh",
    "schedule": crontab(hour=3, minute=30),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "CooperationAvailabilityEnum": "apps.brands.profile_models.Availability",
    }
)


# --- Commerce: stores, pool, links, orders, commissions, recommendations ---
# The return window after delivery; commissions settle and sellers are paid when it closes.
COMMERCE_RETURN_WINDOW_DAYS = env.int("COMMERCE_RETURN_WINDOW_DAYS", default=7)
# Last-click attribution window, and how long one visitor's clicks on a link count once.
COMMERCE_ATTRIBUTION_DAYS = env.int("COMMERCE_ATTRIBUTION_DAYS", default=7)
COMMERCE_CLICK_DEDUP_SECONDS = env.int("COMMERCE_CLICK_DEDUP_SECONDS", default=30 * 60)
# The platform's fee on a seller's proceeds, taken when the order completes (a fraction).
COMMERCE_PLATFORM_FEE_RATE = env.str("COMMERCE_PLATFORM_FEE_RATE", default="0.05")
# Balance shards given to a store's wallet (a hot account during a sale).
COMMERCE_SELLER_SHARDS = env.int("COMMERCE_SELLER_SHARDS", default=16)
COMMERCE_PRODUCT_IMAGE_MAX_BYTES = env.int(
    "COMMERCE_PRODUCT_IMAGE_MAX_BYTES", default=10 * 1024 * 1024
)
# Where GET /l/<code> sends the visitor (the app's product page).
COMMERCE_PRODUCT_URL = env.str("COMMERCE_PRODUCT_URL", default="/api/v1/products/{product_id}")
CELERY_BEAT_SCHEDULE["commerce-complete-orders"] = {
    "task": "apps.commerce.tasks.orders_complete_due",
    "schedule": crontab(minute="*/10"),
}
CELERY_BEAT_SCHEDULE["commerce-recommendations"] = {
    "task": "apps.commerce.tasks.recommendations_refresh",
    "schedule": crontab(hour=3, minute=0),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ProductStatusEnum": "apps.commerce.models.ProductStatus",
        "OrderStatusEnum": "apps.commerce.models.OrderStatus",
        "CommissionStatusEnum": "apps.commerce.models.CommissionStatus",
        "SampleStatusEnum": "apps.commerce.models.SampleStatus",
        "PlanKindEnum": "apps.commerce.models.PlanKind",
    }
)

# --- Live: rooms, RTMP hooks, chat, presence, gifts, reports (docs/live.md) ---
# nginx-rtmp calls /hooks/live/rtmp/<event>?secret=<LIVE_HOOK_SECRET> (deploy/nginx-rtmp.conf);
# with no secret (production without one) every hook call is refused, so no stream goes live.
LIVE_HOOK_SECRET = env.str("LIVE_HOOK_SECRET", default="live-hook-secret-dev-only" if DEBUG else "")
LIVE_RTMP_URL = env.str("LIVE_RTMP_URL", default="rtmp://127.0.0.1:1935/live")
LIVE_HLS_BASE_URL = env.str("LIVE_HLS_BASE_URL", default="http://127.0.0.1:8080/hls")
# Chat fans out through Redis pub/sub: one PUBLISH per message, each process delivers to its
# own sockets (channels_redis' core layer would push one list entry per socket).
if REDIS_URL:
    CHANNEL_LAYERS["live"] = {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{CACHE_KEY_PREFIX}:live"},
    }
else:
    CHANNEL_LAYERS["live"] = {"BACKEND": "channels.layers.InMemoryChannelLayer"}
LIVE_CHANNEL_LAYER = env.str("LIVE_CHANNEL_LAYER", default="live")
LIVE_CHAT_RATE = env.int("LIVE_CHAT_RATE", default=5)  # messages per user per window
LIVE_CHAT_RATE_WINDOW_SECONDS = env.int("LIVE_CHAT_RATE_WINDOW_SECONDS", default=10)
LIVE_CHAT_HISTORY = 100  # messages a late joiner can read
LIVE_PRESENCE_HEARTBEAT_SECONDS = env.float("LIVE_PRESENCE_HEARTBEAT_SECONDS", default=5.0)
LIVE_PRESENCE_TTL_SECONDS = env.float("LIVE_PRESENCE_TTL_SECONDS", default=15.0)
LIVE_TICK_SECONDS = env.float("LIVE_TICK_SECONDS", default=1.0)  # likes flush, viewer count
# Room events a socket may have waiting to be written before chat events to it are dropped.
LIVE_SOCKET_OUTBOX = env.int("LIVE_SOCKET_OUTBOX", default=256)
# A speaker's context kept per process lives at most this long (the room's chat version
# invalidates it at once on any change: apps/live/speakers.py).
LIVE_SPEAKER_CACHE_SECONDS = env.float("LIVE_SPEAKER_CACHE_SECONDS", default=30.0)
LIVE_GIFT_PLATFORM_SHARE = env.str("LIVE_GIFT_PLATFORM_SHARE", default="0.3")
LIVE_REPORT_DELAY_SECONDS = env.int("LIVE_REPORT_DELAY_SECONDS", default=10)
LIVE_FORCE_END_CONTROL_URL = env.str("LIVE_FORCE_END_CONTROL_URL", default="")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "RoomStatusEnum": "apps.live.models.RoomStatus",
        "RoomCategoryEnum": "apps.live.models.RoomCategory",
        "SanctionKindEnum": "apps.live.models.SanctionKind",
        "LiveBlockedWordActionEnum": "apps.live.models.LiveBlockedWordAction",
        "ChatMessageKindEnum": "apps.live.models.MessageKind",
    }
)

# Promotion: Fries paid note promotion (docs/promotion.md).
# Price of a thousand promoted impressions in fen (CPM); an order keeps the price it was paid at.
PROMOTION_CPM_FEN = env.int("PROMOTION_CPM_FEN", default=3_000)
# Targeting must reach at least this many users, or the quote and the order are refused.
PROMOTION_MIN_AUDIENCE = env.int("PROMOTION_MIN_AUDIENCE", default=20)
# The same order at most this many times per viewer per Shanghai day.
PROMOTION_FREQUENCY_CAP = env.int("PROMOTION_FREQUENCY_CAP", default=2)
# One promoted note per this many discovery items at most.
PROMOTION_SLOT_EVERY = env.int("PROMOTION_SLOT_EVERY", default=10)
# Pacing lets an order run this many seconds ahead of its even spend curve.
PROMOTION_PACING_LEAD_SECONDS = env.int("PROMOTION_PACING_LEAD_SECONDS", default=60)
# Hot counters: "redis" (shared by every process; needs REDIS_URL) or "local" (one process).
PROMOTION_COUNTERS = env.str("PROMOTION_COUNTERS", default="redis" if REDIS_URL else "local")
CELERY_BEAT_SCHEDULE["promotion-tick"] = {
    "task": "apps.promotion.tasks.promotion_tick",
    "schedule": crontab(minute="*"),  # starts, billing, pacing and ends every minute
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "PromotionStatusEnum": "apps.promotion.models.OrderStatus",
        "PromotionObjectiveEnum": "apps.promotion.models.Objective",
        "PromotionTargetingModeEnum": "apps.promotion.models.TargetingMode",
    }
)
