"""Settings shared by every environment; each value that differs comes from the environment.

The table of variables is in README.md. `local` (make run) and `test` have safe defaults;
`production` refuses to start without its secrets.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-only-key-do-not-use-in-production")
# The audit chain's HMAC key (audit/macs.py): kept out of the database, so whoever can write to the
# database cannot recompute the chain. Production requires its own (production.py).
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "insecure-local-only-audit-key-do-not-use-in-production")
# Production settings turn this on; demo data (public passwords) refuses to load then.
IS_PRODUCTION = False
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "axes",
    # Our apps: one part of the domain each, bottom layer first (README, "Architecture";
    # tests/test_architecture.py keeps imports flowing downwards only).
    "portal",
    "audit",
    "workdays",
    "measures",
    "accounts",
    "credit",
    "applications",
    "budgets",
    "awards",
    "announcements",
    "disbursement",
    "recovery",
    "proactive",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Officials' sessions end after 30 minutes idle, applicants' after a day (accounts/sessions.py);
    # after the messages, which say why someone was signed out.
    "accounts.sessions.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a sign-in refused for lockout into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Sliding idle limits (seconds), by who signs in (accounts/sessions.py); the cookie's default age
# before the first request sets the role's.
SESSION_IDLE_OFFICIAL = 30 * 60
SESSION_IDLE_APPLICANT = 24 * 60 * 60
SESSION_COOKIE_AGE = SESSION_IDLE_APPLICANT

# Password guessing (django-axes; accounts/throttling.py): failed sign-ins on the login page, the
# admin's and the API token endpoint count per account (username tried, from any address) and per
# address (any username); either reaching its limit within the cool-off refuses further attempts
# (429, "locked_out") until the cool-off has passed since the last failure. The address is
# portal.http.client_ip's, so a forged X-Forwarded-For opens no new bucket.
AXES_HANDLER = "accounts.throttling.LoginFailureHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_CLIENT_IP_CALLABLE = "portal.http.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
# A success does not wipe the address's count: one known password must not reset a guessing run.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# Registration attempts per address (pages and API together): a taken username or credit code
# cannot be probed in bulk.
REGISTRATION_RATE = os.environ.get("REGISTRATION_RATE", "20/hour")
LOGIN_REDIRECT_URL = "measures:catalog"
LOGOUT_REDIRECT_URL = "measures:catalog"

# Chinese first: the portal serves Guangdong's enterprises; English is complete too.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence is private: it lives outside the static root and is served by views
# that check who may see it, never by the web server directly.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# A shared cache (Redis) when several processes must agree: throttles.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The portal's public address, for full links in emails and PDF notices.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@quality-portal.gd.gov.cn")

# Celery: without a broker, tasks run in-process (make run); with one, a real worker runs them.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
# In-process mode still names a broker: an in-memory one, so nothing tries to reach a server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", os.environ.get("CELERY_BROKER_URL") or None)
CELERY_TASK_EAGER_PROPAGATES = True
# A task may run twice (acks late, worker lost): every task is written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task taken by a worker that was killed is given to another one after visibility_timeout
# (Redis's default is an hour). No task may run, or wait for its ETA, longer than this: it
# would be delivered again meanwhile (harmless, every task is idempotent, but wasted work).
# Short socket timeouts: a broker that is unreachable fails fast instead of hanging a process.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 300,
    "socket_connect_timeout": 5,
    "socket_timeout": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
# Results live in the database (notices, export jobs, notifications), never in the result
# backend: publishing a task then never touches it (its reconnection made an accept wait 38 s).
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Synced into django-celery-beat's tables at beat start; times are Asia/Shanghai.
CELERY_BEAT_SCHEDULE = {
    "lapse-missed-supplements": {"task": "applications.tasks.lapse_missed_supplements", "schedule": 3600.0},
    "handler-digests": {
        "task": "applications.tasks.send_handler_digests",
        "schedule": crontab(hour=8, minute=0),
    },
    "supplement-reminders": {
        "task": "applications.tasks.send_supplement_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # 公示: awards become final once their announcement period has ended without an open objection.
    "finalise-due-awards": {"task": "announcements.tasks.finalise_due_awards", "schedule": crontab(minute=5)},
    # The outbox: what was written but not handed to the queue (broker down at commit) goes now.
    "dispatch-outbox": {"task": "portal.tasks.dispatch_outbox", "schedule": 60.0},
    "purge-outbox": {"task": "portal.tasks.purge_outbox", "schedule": crontab(hour=3, minute=20)},
    # The audit events committed since the last sealing are chained (each commit seals its own too).
    "seal-audit-chain": {"task": "audit.tasks.seal_audit_chain", "schedule": 60.0},
    # The day's audit head, recorded and sent to the administrators before their working day.
    "publish-audit-head": {"task": "reports.tasks.publish_audit_head", "schedule": crontab(hour=7, minute=55)},
    # Import previews never confirmed: their staged files are deleted.
    "purge-staged-uploads": {"task": "portal.tasks.purge_staged_uploads", "schedule": crontab(minute=35)},
    # The dashboards' tallies: deltas merged every five minutes, checked against a recount nightly.
    "compact-tallies": {"task": "reports.tasks.compact_tallies", "schedule": 300.0},
    "check-tallies": {"task": "reports.tasks.check_tallies", "schedule": crontab(hour=3, minute=20)},
}
# How long an import's preview may wait for its confirmation (seconds).
STAGED_UPLOAD_MAX_AGE = 60 * 60

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "portal.schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    # Decimals as written (1e9 stays recognisable); form posts and uploads as usual.
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
    "COERCE_DECIMAL_TO_STRING": True,
    # Trusted reverse proxies in front of the portal (the documented TLS proxy: 1). portal.http's
    # client_ip takes the address that many hops back in X-Forwarded-For; with none, the header
    # is ignored and REMOTE_ADDR is the client.
    "NUM_PROXIES": int(os.environ["NUM_PROXIES"]) if os.environ.get("NUM_PROXIES", "").strip() else None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guangdong Manufacturing Quality & Brand Incentives Portal API",
    "DESCRIPTION": "广东省全面提升制造业质量品牌水平政策兑现平台 — API v1. Money is a decimal string in CNY.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.schema.optional_query_values_may_be_empty",
    ],
    # Several models have a `status`: name the application's enum once, for every endpoint.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "applications.models.Status",
        "JobStatusEnum": "portal.workflow.JobStatus",  # every background job's (export, bank results)
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own loggers have a console handler already: propagating too would print twice.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint narrates every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Policy text shipped with the code: the catalog's full texts are read from it.
POLICY_TEXT_PATH = BASE_DIR / "measures" / "data" / "guangdong-quality-brand-31-measures.zh.txt"
