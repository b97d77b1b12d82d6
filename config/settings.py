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

# The product apps (brands, commerce, live, promotion, programs): one block each, in their own
# module so this one stays readable; they extend CELERY_BEAT_SCHEDULE and the schema's enums.
from config.settings_products import *  # noqa: E402, F403
