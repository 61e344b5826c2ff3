"""One settings module, configured from the environment with embedded defaults.

Defaults give a zero-configuration developer setup (SQLite file, eager Celery, DEBUG on);
production sets ``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL`` (Redis) and ``SECRET_KEY``.
Every variable read here is listed in ``.env.example``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from siop.numbers import check_locale

BASE_DIR = Path(__file__).resolve().parent.parent


# Every variable is read through these: set but empty counts as unset (.env.example lists the
# variables with empty values, and docker compose passes "NAME=" lines on as empty strings).
def env(name: str, default: str = "") -> str:
    return os.environ.get(name) or default


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = env(name)
    return float(value) if value else float(default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", "http://localhost:8000,http://127.0.0.1:8000"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "csp",
    "accounts",
    "masterdata",
    "datainputs",
    "cycles",
    "demand",
    "demo",
    "supply",
    "inventory",
    "reconciliation",
    "executive",
    "api",
]

MIDDLEWARE = [
    "siop.middleware.BodySizeLimitMiddleware",  # 413 before anything reads an upload
    "django.middleware.security.SecurityMiddleware",
    # Pages, grid JSON and exports compress 5-10x; Django's GZip pads its output against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "siop.urls"
WSGI_APPLICATION = "siop.wsgi.application"
ASGI_APPLICATION = "siop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.role",
                "cycles.context_processors.recent_cycles",
                "siop.context_processors.number_format",
            ],
        },
    },
]

# No DATABASE_URL -> a SQLite file, so `make run` needs no server.
DATABASE_URL = env("DATABASE_URL")
DATABASES = {
    # Health checks: a persistent connection PostgreSQL dropped (restart, failover, idle kill) is
    # replaced before the next request uses it, instead of answering that request with a 500.
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer lock instead of failing at once when the worker and web write together.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "versioned": answers keyed by the data versions they read (grid JSON, accuracy report), so an
# entry is never stale, only unused. With Redis it is shared by every web process and filled by
# the workers (the accuracy report after each sign-off and sales import); else per process.
# With a Redis broker there are workers, and a report a worker warmed into its own memory would
# never reach a web process: the cache then defaults to the application's Redis (REDIS_URL, else
# the broker; production gives it a database of its own, VERSIONED_CACHE_URL).
_BROKER = env("CELERY_BROKER_URL")
_APP_REDIS = (env("REDIS_URL") or _BROKER) if _BROKER else ""
VERSIONED_CACHE_URL = env("VERSIONED_CACHE_URL") or (
    _APP_REDIS if _APP_REDIS.startswith(("redis://", "rediss://")) else ""
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "versioned": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": VERSIONED_CACHE_URL,
            "KEY_PREFIX": "siop-versioned",
            "TIMEOUT": env_int("VERSIONED_CACHE_SECONDS", 7 * 24 * 3600),
        }
        if VERSIONED_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "siop-versioned",
            "TIMEOUT": 600,
            "OPTIONS": {"MAX_ENTRIES": env_int("VERSIONED_CACHE_ENTRIES", 64)},
        }
    ),
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Stored files (background exports): never served from a public URL, only through a view that
# checks who may read them. Web and worker must share this directory (docker-compose: a volume).
MEDIA_ROOT = env("MEDIA_ROOT", str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "siop.storage.StaticStorage"  # hashed + compressed (WhiteNoise)
    },
}

# Uploads: a body above DATA_UPLOAD_MAX_MEMORY_SIZE is refused (413) before it is read; files
# above 2.5 MB spool to a temporary file and are parsed as a stream that stops at IMPORT_MAX_ROWS.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 500_000)

# How people write numbers (grid edits and pastes, browser uploads): a CLDR locale, e.g. "en"
# (1,234.5) or "de" (1.234,5). Text that reads two ways in it is refused (siop/numbers.py); the
# API always reads locale-free numbers (1234.5).
NUMBER_LOCALE = check_locale(env("NUMBER_LOCALE", "en"))
# ISO 4217 code of the company currency: money in the grids (units x standard price) shows in it.
CURRENCY = env("CURRENCY", "EUR")

# Content-Security-Policy (django-csp): scripts only from this site's static files, so stored
# text can never run as script. Styles allow inline attributes (Tabulator and Plotly size
# cells and charts with style attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Celery: no broker configured -> tasks run eagerly in-process (developer default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redelivery of an unacknowledged message (worker killed) after this long; the run watchdog
    # below re-queues a dead worker's run long before, so this only has to outlast the longest task.
    "visibility_timeout": 3600,
    # A broker that does not answer fails "Run ..." within seconds (the run says so) instead of
    # hanging the request; the worker's own reconnect loop retries forever.
    "socket_connect_timeout": 5,
    "socket_keepalive": True,
    "retry_on_timeout": True,
    "health_check_interval": 30,
    # One Redis list per step; the worker pops them in this order (a message without a priority,
    # every user's run, goes to 0). Warming is sent at 9 (siop.warming.WARM_PRIORITY): it runs
    # only when no run waits. These are kombu's defaults, written out because warming needs them.
    "priority_steps": [0, 3, 6, 9],
}
# A worker takes a message only when one of its processes is free (besides acks_late and the
# prefetch of 1), so it never holds a warming message ahead of a run sent after it.
CELERY_WORKER_DISABLE_PREFETCH = True
# Sending a task while the broker is down: give up after ~1 s and fail the run with a message.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# The worker waits for a broker that is not up yet, and reconnects forever after losing it.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# On a lost broker connection a running task keeps running: its run is recorded in PostgreSQL
# (heartbeat, result rows), its duplicate delivery is skipped by the run's claim, and cancelling it
# would throw away minutes of work that the watchdog would then have to re-queue.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "siop")
# Worker recycling: a pool process is replaced after this many tasks, or after a task leaves it
# above this resident memory (KiB), so memory a big run kept (pandas/numpy arenas) is returned.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 50)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 600_000)

REDIS_URL = env("REDIS_URL", CELERY_BROKER_URL)

# Calculation runs (cycles.run_tasks, cycles.run_watchdog): a running run's worker writes a
# heartbeat every RUN_HEARTBEAT_SECONDS; with none for RUN_HEARTBEAT_TIMEOUT_SECONDS its worker
# counts as gone and the watchdog (every RUN_WATCHDOG_INTERVAL_SECONDS) re-queues the run (up to
# 3 attempts) or fails it. A queued run no worker started within RUN_REDISPATCH_AFTER_SECONDS of
# being sent is sent again, at most RUN_MAX_DISPATCHES times, then failed.
RUN_HEARTBEAT_SECONDS = env_float("RUN_HEARTBEAT_SECONDS", 15)
RUN_HEARTBEAT_TIMEOUT_SECONDS = env_int("RUN_HEARTBEAT_TIMEOUT_SECONDS", 120)
RUN_WATCHDOG_INTERVAL_SECONDS = env_float("RUN_WATCHDOG_INTERVAL_SECONDS", 60)
RUN_REDISPATCH_AFTER_SECONDS = env_int("RUN_REDISPATCH_AFTER_SECONDS", 600)
RUN_MAX_DISPATCHES = env_int("RUN_MAX_DISPATCHES", 3)
# Result rows of a run superseded by a newer succeeded run of its cycle are deleted this many days
# after it finished (daily beat task); current, pinned, signed-off and approved runs are kept.
RUN_RETENTION_DAYS = env_int("RUN_RETENTION_DAYS", 30)
# Background exports' files (cycles.exports) are deleted this many hours after they were built
# (the same daily beat task); asking for the export again builds a new one.
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24)

# Beat: the schedule lives in the database (django-celery-beat, editable in Django admin); the
# entries below are installed there when beat starts, and can then be changed or disabled.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "purge-stale-upload-previews": {
        "task": "datainputs.tasks.purge_stale_previews",
        "schedule": 6 * 3600,
    },
    "run-watchdog": {
        "task": "cycles.run_watchdog",
        "schedule": RUN_WATCHDOG_INTERVAL_SECONDS,
    },
    "prune-superseded-runs": {
        "task": "cycles.prune_superseded_runs",
        "schedule": 24 * 3600,
    },
    # Executive review: execution monitoring (actuals vs the approved plan) and every exception
    # rule re-evaluated once a night, after the ERP's nightly loads.
    "executive-nightly-evaluation": {
        "task": "executive.tasks.nightly_evaluation",
        "schedule": crontab(hour=3, minute=30),
    },
}
IMPORT_PREVIEW_MAX_AGE_HOURS = env_int("IMPORT_PREVIEW_MAX_AGE_HOURS", 48)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SIOP API",
    "DESCRIPTION": "ERP sync for the monthly Sales, Inventory and Operations Planning cycle.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
}

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind HTTPS in production: redirect plain HTTP and send HSTS (both off by default, because
# the docker-compose stack and `make run` serve plain HTTP; enable them at the TLS proxy's host).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ERP sync API: body-size limit (413) and per-client rate limit counted in Redis (429).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 32 * 1024 * 1024)
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 1200)
API_REDIS_URL = env("API_REDIS_URL", REDIS_URL)

# Planning defaults.
PLANNING_HORIZON_MONTHS = env_int("PLANNING_HORIZON_MONTHS", 18)
