"""Project settings, read from the environment only.

With nothing set the platform runs embedded: SQLite file, Celery tasks run eagerly, in-memory
cache and channel layer. ``DATABASE_URL`` switches to PostgreSQL (psycopg 3), ``REDIS_URL`` to
Redis for the cache, the Celery broker and results, and the Channels layer. ``DJANGO_DEBUG=0``
is production: it refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="dev-only-insecure-key-never-used-in-production-0123456789"
    )
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG=0.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG=0.")

INSTALLED_APPS = [
    "daphne",
    # apps.core before the admin: its templates (console home, branding) override the admin's.
    "apps.core",
    # The admin with the operator console as its home page (apps/core/console.py).
    "apps.core.console_config.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from the package, offline
    "channels",
    "apps.accounts",
    "apps.notifications",
    "apps.moderation",
    "apps.notes",
    "apps.analytics",
    "apps.creators",
    "apps.ledger",
    "apps.brands",
    "apps.commerce",
    "apps.live",
    "apps.promotion",
    "apps.programs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.request_limits.BodySizeLimitMiddleware",
    "apps.core.request_limits.QueryStringMiddleware",
]

if not DEBUG:
    # Static files served by the app process itself; runserver serves them in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "apps.core.views.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] in (
        "django.db.backends.postgresql",
        "django.db.backends.postgresql_psycopg2",
    ):
        DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
        # JIT compilation costs tens of milliseconds on short OLTP queries misestimated as big.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
        if env.bool("DATABASE_POOL", default=False):
            # psycopg 3 pool: for ASGI processes with many short requests.
            DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 2, "max_size": 20}
            DATABASES["default"]["CONN_MAX_AGE"] = 0
        else:
            DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
            DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            # IMMEDIATE: a transaction takes the write lock when it begins, so two concurrent
            # writers queue on the timeout instead of failing with "database is locked" when a
            # reader tries to upgrade. WAL lets readers run beside the writer.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: cache, Celery, Channels ----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="cp")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{CACHE_KEY_PREFIX}:asgi"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="creator-platform")
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE: dict = {}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "apps.accounts.password_validation.NotOnlyWhitespaceValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Client addresses (throttles, lockout logs). TRUSTED_PROXY_COUNT is how many reverse proxies
# of ours stand in front of the ASGI server, each appending to X-Forwarded-For. 0 (the default)
# trusts no forwarding header: the TCP peer is the client. N > 0: the client is the N-th entry
# from the right of X-Forwarded-For (what our outermost proxy saw); entries further left are
# whatever the client sent. Run uvicorn with --no-proxy-headers so it does not rewrite the peer.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
# Failed sign-ins per username (known or not), counted in the cache across all addresses:
# LOGIN_FAILURE_LIMIT failures within LOGIN_FAILURE_WINDOW_MINUTES lock the username for
# LOGIN_LOCKOUT_MINUTES (429 auth.locked, the same for existing and unknown usernames).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_WINDOW_MINUTES = env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# Usernames whose authenticated requests skip the per-user throttles: the CI fuzzing user only.
# Anonymous auth endpoints stay throttled for everyone. Refused in production.
THROTTLE_EXEMPT_USERNAMES = env.list("THROTTLE_EXEMPT_USERNAMES", default=[])
if THROTTLE_EXEMPT_USERNAMES and not DEBUG:
    raise ImproperlyConfigured(
        "THROTTLE_EXEMPT_USERNAMES is for test environments and must be empty when DJANGO_DEBUG=0."
    )
# Phone binding by SMS code: codes live PHONE_CODE_TTL_MINUTES, allow PHONE_CODE_MAX_ATTEMPTS
# guesses; a number receives at most PHONE_CODE_SENDS_PER_NUMBER_PER_HOUR codes; a user may ask
# for codes at THROTTLE_PHONE_CODE. The sandbox SMS provider records messages instead of sending.
PHONE_CODE_TTL_MINUTES = env.int("PHONE_CODE_TTL_MINUTES", default=10)
PHONE_CODE_MAX_ATTEMPTS = env.int("PHONE_CODE_MAX_ATTEMPTS", default=5)
PHONE_CODE_SENDS_PER_NUMBER_PER_HOUR = env.int("PHONE_CODE_SENDS_PER_NUMBER_PER_HOUR", default=5)
PHONE_CODE_THROTTLE_RATE = env.str("THROTTLE_PHONE_CODE", default="5/hour")
SMS_SANDBOX_ENABLED = env.bool("SMS_SANDBOX_ENABLED", default=DEBUG)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
ANALYTICS_TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=5 * 1024 * 1024)
# Every accepted image (apps/core/images.py): dimensions read from the header and checked before
# any decoding; decoding runs in at most IMAGE_WORK_CONCURRENCY threads a process (the others wait
# up to IMAGE_WORK_WAIT_SECONDS, then get 503).
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=50_000_000)
# Formats Pillow must decode at full size (PNG, WebP) get fewer pixels: this budget over their
# bytes a pixel (apps/core/images.py): 33.5 MP of PNG, 8.4 MP of WebP by default.
IMAGE_DECODE_BUDGET_BYTES = env.int("IMAGE_DECODE_BUDGET_BYTES", default=128 * 1024 * 1024)
IMAGE_WORK_CONCURRENCY = env.int("IMAGE_WORK_CONCURRENCY", default=2)
IMAGE_WORK_WAIT_SECONDS = env.float("IMAGE_WORK_WAIT_SECONDS", default=30.0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
# Endpoints anyone may call (login, register, refresh, logout, payment webhooks) read at most this
# much: their bodies are a few hundred bytes, and a stranger must not make the server parse or
# HMAC megabytes. Checked from Content-Length before the body is read (413 above it).
UNAUTHENTICATED_BODY_MAX_BYTES = env.int("UNAUTHENTICATED_BODY_MAX_BYTES", default=64 * 1024)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: upload views declare ``parser_classes = [MultiPartParser]`` themselves, so every
    # request body in the schema has exactly one content type (generated clients depend on it).
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.SafeJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "apps.core.openapi.ClientAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.throttles.WriteRateThrottle"],
    # DRF's own address derivation agrees with apps.core.throttles.client_address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("THROTTLE_AUTH", default="20/min"),
        "write": env.str("THROTTLE_WRITE", default="120/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Creator Platform API",
    "DESCRIPTION": (
        "Creator center, brand cooperation, commerce links, live rooms, Fries promotion, "
        "programs and compliance. Errors always have the shape "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Docs assets from drf-spectacular-sidecar (pinned in pyproject.toml), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.openapi.postprocess_explicit_formats",
        "apps.core.openapi.postprocess_no_null_characters",
    ],
    # <id:...> (apps.core.converters) answers 404 outside 1..2**63-1, so the schema can say so.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1},
    },
    "ENUM_NAME_OVERRIDES": {
        "GenderEnum": "apps.accounts.models.Gender",
        "RegionEnum": "apps.accounts.regions.REGION_CHOICES",
    },
}

# --- Production hardening -------------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Domain settings ------------------------------------------------------------------------
SEED_DEMO_PASSWORD = env.str("SEED_DEMO_PASSWORD", default="demo-pass-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# --- ledger ---
from celery.schedules import crontab  # noqa: E402

LEDGER_MAX_AMOUNT_FEN = env.int("LEDGER_MAX_AMOUNT_FEN", default=5_000_000)  # 50,000 yuan
LEDGER_TOPUP_MIN_FEN = env.int("LEDGER_TOPUP_MIN_FEN", default=100)
LEDGER_PAYOUT_MIN_FEN = env.int("LEDGER_PAYOUT_MIN_FEN", default=1_000)
LEDGER_PAYMENT_INTENT_TTL_MINUTES = env.int("LEDGER_PAYMENT_INTENT_TTL_MINUTES", default=30)
LEDGER_WEBHOOK_TOLERANCE_SECONDS = env.int("LEDGER_WEBHOOK_TOLERANCE_SECONDS", default=300)
LEDGER_SANDBOX_ENABLED = env.bool("LEDGER_SANDBOX_ENABLED", default=DEBUG)
LEDGER_SANDBOX_WEBHOOK_SECRET = env.str(
    "LEDGER_SANDBOX_WEBHOOK_SECRET", default="sandbox-webhook-secret-dev-only" if DEBUG else ""
)
LEDGER_SANDBOX_WEBHOOK_OLD_SECRETS = env.list("LEDGER_SANDBOX_WEBHOOK_OLD_SECRETS", default=[])
if LEDGER_SANDBOX_ENABLED and not LEDGER_SANDBOX_WEBHOOK_SECRET:
    raise ImproperlyConfigured("LEDGER_SANDBOX_WEBHOOK_SECRET must be set to enable the sandbox.")
IDEMPOTENCY_KEY_TTL_HOURS = max(env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24), 24)
CELERY_BEAT_SCHEDULE["ledger-reconcile"] = {
    "task": "apps.ledger.tasks.ledger_reconcile",
    "schedule": crontab(hour=3, minute=30),  # nightly, after the 02:00 rollups
}
CELERY_BEAT_SCHEDULE["ledger-expire-payment-intents"] = {
    "task": "apps.ledger.tasks.payment_intents_expire",
    "schedule": crontab(minute="*/5"),
}
CELERY_BEAT_SCHEDULE["idempotency-keys-purge"] = {
    "task": "apps.ledger.tasks.idempotency_keys_purge",
    "schedule": crontab(minute=17),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "PaymentIntentStatusEnum": "apps.ledger.models.PaymentIntentStatus",
        "PayoutStatusEnum": "apps.ledger.models.PayoutStatus",
        "TransactionKindEnum": "apps.ledger.models.TransactionKind",
        "PayoutMethodEnum": "apps.ledger.models.PayoutMethod",
    }
)

# --- organisations ---
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "OrganisationKindEnum": "apps.accounts.organisation_models.OrganisationKind",
        "MembershipRoleEnum": "apps.accounts.organisation_models.MembershipRole",
        "VerificationStatusEnum": "apps.accounts.organisation_models.VerificationStatus",
    }
)


# --- analytics ---
# Clients post event batches every few seconds; they get their own per-user rate, apart from
# the write throttle.
ANALYTICS_EVENTS_THROTTLE_RATE = env.str("THROTTLE_EVENTS", default="600/min")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ClientEventKindEnum": "apps.analytics.kinds.CLIENT_KIND_CHOICES",
        "EventSourceEnum": "apps.analytics.kinds.EventSource",
    }
)

# --- moderation ---
# Distinct reporters after which a reported note or comment is hidden until reviewed.
MODERATION_REPORT_HIDE_THRESHOLD = env.int("MODERATION_REPORT_HIDE_THRESHOLD", default=3)
# How often a process compares its keyword automaton with the shared rule-set version.
MODERATION_RULES_CHECK_SECONDS = env.float("MODERATION_RULES_CHECK_SECONDS", default=2.0)
# Strikes: THRESHOLD active strikes within WINDOW_DAYS stop posting for RESTRICTION_DAYS.
MODERATION_STRIKE_WINDOW_DAYS = env.int("MODERATION_STRIKE_WINDOW_DAYS", default=90)
MODERATION_STRIKE_THRESHOLD = env.int("MODERATION_STRIKE_THRESHOLD", default=3)
MODERATION_RESTRICTION_DAYS = env.int("MODERATION_RESTRICTION_DAYS", default=7)
MODERATION_APPEAL_DAYS = env.int("MODERATION_APPEAL_DAYS", default=30)
# Phone numbers and WeChat ids: where they are looked for and what happens to them.
MODERATION_CONTACT_SURFACES = env.list("MODERATION_CONTACT_SURFACES", default=["note", "comment"])
MODERATION_CONTACT_ACTION = env.str("MODERATION_CONTACT_ACTION", default="mask")

# --- notes ---
NOTES_IMAGE_MAX_BYTES = env.int("NOTES_IMAGE_MAX_BYTES", default=20 * 1024 * 1024)
# Phones' full-resolution modes top out at 48-50 MP (8064x6048, 8160x6144); defaults are 12-24 MP.
# JPEG decodes reduced (draft mode); PNG and WebP are held to IMAGE_DECODE_BUDGET_BYTES instead.
NOTES_IMAGE_MAX_PIXELS = env.int("NOTES_IMAGE_MAX_PIXELS", default=IMAGE_MAX_PIXELS)
NOTES_VIDEO_MAX_BYTES = env.int("NOTES_VIDEO_MAX_BYTES", default=1024 * 1024 * 1024)
NOTES_VIDEO_MAX_SECONDS = env.int("NOTES_VIDEO_MAX_SECONDS", default=15 * 60)
NOTES_FFPROBE_BINARY = env.str("FFPROBE_BINARY", default="ffprobe")
NOTES_FFMPEG_BINARY = env.str("FFMPEG_BINARY", default="ffmpeg")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "NoteStatusEnum": "apps.notes.models.NoteStatus",
        "NoteKindEnum": "apps.notes.models.NoteKind",
        "EventSourceEnum": "apps.analytics.kinds.EventSource",
    }
)

# --- creator center ---
# Nightly rollups at 02:00 Asia/Shanghai (CELERY_TIMEZONE) over the previous Shanghai day.
CELERY_BEAT_SCHEDULE["analytics-rollup-nightly"] = {
    "task": "apps.analytics.tasks.analytics_rollup_nightly",
    "schedule": crontab(hour=2, minute=0),
}
# How long the creator center's "today so far" figures are cached (seconds).
CREATOR_CENTER_TODAY_CACHE_SECONDS = env.int("CREATOR_CENTER_TODAY_CACHE_SECONDS", default=60)
# work_mem of the rollup transaction (PostgreSQL): a day's sorts and hashes stay in memory.
ANALYTICS_ROLLUP_WORK_MEM = env.str("ANALYTICS_ROLLUP_WORK_MEM", default="64MB")

# --- comment management ---
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "CommentActionEnum": "apps.creators.comments_services.COMMENT_ACTIONS",
        "BlockedWordActionEnum": "apps.creators.models.BlockedWordAction",
        "CommentCreatorStateEnum": "apps.notes.models.CreatorState",
        "WhoCanCommentEnum": "apps.notes.models.CommentPermission",
    }
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
