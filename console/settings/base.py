"""Settings shared by every environment. Everything that differs between machines comes from
the environment through django-environ (see .env.example)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# Embedded mode's state (SQLite, broker, cache, media, secrets): owner-only, see settings.local.
VAR_DIR = Path(BASE_DIR, env("VAR_DIR", default="var"))  # relative to the checkout

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Fernet keys, newest first: the first encrypts, all decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its field templates, for FORM_RENDERER below
    "django_htmx",
    "csp",
    "axes",
    "console",
    "merchants",
    "complaints",
    "messaging",
    "automation",
    "devtools",  # demo_setup; no app imports it
    "refunds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "console.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "console.sessions.SessionLimitsMiddleware",
]

ROOT_URLCONF = "console.urls"
WSGI_APPLICATION = "console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "console.context_processors.navigation",
            ],
        },
    },
]

# Every field renders through templates/forms/field.html (`as_field_group`).
FORM_RENDERER = "console.forms.ConsoleFormRenderer"

POSTGRES_SERIAL = "-c max_parallel_workers_per_gather=0"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'console.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Embedded mode: the web and worker processes share one file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Requests read a page of rows: parallel workers only add their start-up time and take the
    # cores other requests are waiting for (bench/queue.py: a rare search's query 15 ms with
    # two workers, 8 ms without).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", POSTGRES_SERIAL)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection is checked before each request and task: after a database restart the
# first request reconnects instead of failing with a dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis when configured; otherwise a file cache shared by the web and worker processes.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins: lock a username+IP pair after 5 failures for 15 minutes, and a username from
# every address after 20 failures within an hour (a spray from many addresses); an admin can
# unlock at once (console/lockout.py, the user's page under Merchants > Users).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "console.lockout.ConsoleAxesHandler"
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
LOGIN_USERNAME_WINDOW_MINUTES = env.int("LOGIN_USERNAME_WINDOW_MINUTES", default=60)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# Strict CSP: the console renders consumer text in the app that holds merchant keys.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions end 12 h after sign-in whatever happens, and after 2 h without a request
# (console/sessions.py enforces both; README "Security").
SESSION_MAX_AGE_MINUTES = env.int("SESSION_MAX_AGE_MINUTES", default=12 * 60)
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=2 * 60)
SESSION_COOKIE_AGE = 60 * SESSION_MAX_AGE_MINUTES
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport (no broker server).
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "polling_interval": 0.1,
        "quarantine_folder": str(CELERY_BROKER_DIR / "quarantine"),
    }
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="console")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="complaint-console@localhost")

# Public base URL of this console, used for the WeChat Pay notification URL.
CONSOLE_PUBLIC_URL = env("CONSOLE_PUBLIC_URL", default="http://127.0.0.1:8000")
# The WeChat Pay simulator started by `make run` (sandbox/).
SANDBOX_URL = env("SANDBOX_URL", default="http://127.0.0.1:8090")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
AXES_VERBOSE = False

# Console limits on NormalMessage where WeChat publishes none (messaging/schema/limits.py).
MESSAGE_LIMITS = env.json("MESSAGE_LIMITS", default={})

# --- Reply delivery and WeChat Pay rate limits (owner: delivery engineer, issue 8) ---
# REPLY_DELIVERY overrides single knobs, e.g. '{"backoff_base": 0.2, "lease_seconds": 5}' (JSON).
REPLY_DELIVERY = env.json("REPLY_DELIVERY", default={})
# One limiter per merchant and endpoint, in calls per minute (spec §7.1); see console/ratelimit.py.
WECHATPAY_RATE_LIMITS_ENABLED = env.bool("WECHATPAY_RATE_LIMITS_ENABLED", default=True)
WECHATPAY_RATE_LIMITS = env.json("WECHATPAY_RATE_LIMITS", default={})
# Live events (console/events.py): how long a reconnecting browser can resume from.
LIVE_EVENTS_KEEP_HOURS = env.int("LIVE_EVENTS_KEEP_HOURS", default=24)
# How often an open stream re-checks its session (signed out, idle, deactivated) and merchants.
LIVE_STREAM_RECHECK_SECONDS = env.int("LIVE_STREAM_RECHECK_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["console.prune_live_events"] = {
    "task": "console.prune_live_events",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["messaging.sweep_replies"] = {
    "task": "messaging.sweep_replies",
    "schedule": env.float("REPLY_SWEEP_EVERY_SECONDS", default=30.0),
}

# --- Refunds from complaints (refunds/, issue 17) ---------------------------------------------
# What an agent may refund alone when a supervisor set no limits for the merchant (fen).
REFUNDS_DEFAULT_AGENT_LIMIT_FEN = env.int("REFUNDS_DEFAULT_AGENT_LIMIT_FEN", default=20000)
REFUNDS_DEFAULT_AGENT_DAILY_LIMIT_FEN = env.int(
    "REFUNDS_DEFAULT_AGENT_DAILY_LIMIT_FEN", default=100000
)
# Ask WeChat Pay for an accepted refund's state when no notification came this long after.
REFUNDS_QUERY_AFTER_SECONDS = env.int("REFUNDS_QUERY_AFTER_SECONDS", default=300)
# Overrides of REPLY_DELIVERY's knobs for refunds only (JSON), e.g. '{"max_attempts": 10}'.
REFUND_DELIVERY = env.json("REFUND_DELIVERY", default={})
CELERY_BEAT_SCHEDULE["refunds.sweep"] = {
    "task": "refunds.sweep",
    "schedule": env.float("REFUND_SWEEP_EVERY_SECONDS", default=30.0),
}

# --- Automation and alerts (owner: automation, automation/) ---------------------------------
# Minutes before a deadline that a complaint is reported to supervisors as due soon.
AUTOMATION_FIRST_REPLY_WARNING_MINUTES = env.int(
    "AUTOMATION_FIRST_REPLY_WARNING_MINUTES", default=120
)
AUTOMATION_COMPLETE_WARNING_MINUTES = env.int("AUTOMATION_COMPLETE_WARNING_MINUTES", default=720)
# ...and before the immediate-service target (COMPLAINTS_IMMEDIATE_FIRST_REPLY_MINUTES). Every
# margin is capped at half its deadline's length, so no complaint is listed as it arrives.
AUTOMATION_IMMEDIATE_WARNING_MINUTES = env.int("AUTOMATION_IMMEDIATE_WARNING_MINUTES", default=20)
AUTOMATION_DIGEST_EVERY_MINUTES = env.float("AUTOMATION_DIGEST_EVERY_MINUTES", default=15.0)
CELERY_BEAT_SCHEDULE["automation.scan_supervisor_events"] = {
    "task": "automation.scan_supervisor_events",
    "schedule": env.float("AUTOMATION_SCAN_EVERY_SECONDS", default=60.0),
}
CELERY_BEAT_SCHEDULE["automation.sweep_alerts"] = {
    "task": "automation.sweep_alerts",
    "schedule": env.float("AUTOMATION_SCAN_EVERY_SECONDS", default=60.0),
}
CELERY_BEAT_SCHEDULE["automation.send_digest"] = {
    "task": "automation.send_digest",
    "schedule": 60.0 * AUTOMATION_DIGEST_EVERY_MINUTES,
}

# --- Complaints: ingestion and deadlines (owner: complaints, complaints/) ---------------------
# The console's own first-reply target for immediate-service complaints (WeChat's is 24 h).
COMPLAINTS_IMMEDIATE_FIRST_REPLY_MINUTES = env.int(
    "COMPLAINTS_IMMEDIATE_FIRST_REPLY_MINUTES", default=60
)
COMPLAINTS_AT_RISK_MINUTES = env.int("COMPLAINTS_AT_RISK_MINUTES", default=240)  # "due soon"
COMPLAINTS_SYNC_DAYS = env.int("COMPLAINTS_SYNC_DAYS", default=30)  # first sync looks back
# Later syncs start this many days before the last one ended (late edits, clock skew).
COMPLAINTS_SYNC_OVERLAP_DAYS = env.int("COMPLAINTS_SYNC_OVERLAP_DAYS", default=2)
# Ingestion's calls to WeChat Pay: tries per call; backoff base and cap (console/retry.py).
COMPLAINTS_RETRY_ATTEMPTS = env.int("COMPLAINTS_RETRY_ATTEMPTS", default=5)
COMPLAINTS_RETRY_BASE_SECONDS = env.float("COMPLAINTS_RETRY_BASE_SECONDS", default=1.0)
COMPLAINTS_RETRY_CAP_SECONDS = env.float("COMPLAINTS_RETRY_CAP_SECONDS", default=30.0)
# Search: a word matching at least this many complaints is "common" (ranked differently).
COMPLAINTS_SEARCH_COMMON_MATCHES = env.int("COMPLAINTS_SEARCH_COMMON_MATCHES", default=2000)
# A search's queries are cut off after this long (a message instead of the rows).
COMPLAINTS_SEARCH_TIMEOUT_MS = env.int("COMPLAINTS_SEARCH_TIMEOUT_MS", default=3000)
CELERY_BEAT_SCHEDULE["complaints.sync_all_merchants"] = {
    "task": "complaints.sync_all_merchants",
    "schedule": env.float("COMPLAINTS_SYNC_EVERY_SECONDS", default=600.0),
}
CELERY_BEAT_SCHEDULE["complaints.sweep_sla"] = {
    "task": "complaints.sweep_sla",
    "schedule": env.float("COMPLAINTS_SLA_SWEEP_EVERY_SECONDS", default=60.0),
}
