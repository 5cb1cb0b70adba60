"""Settings shared by every environment; each value that differs comes from the environment.

The table of variables is in README.md. `local` (make run) and `test` have safe defaults;
`production` refuses to start without its secrets.
"""

import datetime as dt
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

from portal.observability import logging_config

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

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Widgets render through the project's templates (FORM_RENDERER), so templates/django/forms/
    # can word them: an empty choice reads "请选择", not "---------".
    "django.forms",
    "rest_framework",
    # API keys stored as hashes, with an expiry (accounts/tokens.py says who gets one).
    "portal.third_party.KnoxConfig",  # the apps of portal/third_party.py: translated names
    # The second factor: authenticator apps (TOTP) and one-time recovery codes (accounts/two_factor.py).
    "django_otp",
    "portal.third_party.TOTPConfig",
    "portal.third_party.StaticConfig",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "portal.third_party.AxesConfig",
    "health_check",
    "csp",
    # Our apps: one part of the domain each, bottom layer first (README, "Architecture";
    # tests/test_architecture.py keeps imports flowing downwards only).
    "portal",
    "audit",
    "workdays",
    "measures",
    "accounts",
    "credit",
    "calls",
    "applications",
    "experts",
    "decisions",
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
    "portal.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public catalog's whole answers for visitors with nothing personal, before the middleware
    # only personal visits need (measures/caching.py).
    "measures.caching.SharedAnswerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # NUL characters and unpaired surrogates refused (400), oversized uploads too (413), before any
    # view or the CSRF check reads the body: in the reader's language, so after LocaleMiddleware.
    "portal.middleware.RefuseUnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A password alone is half a sign-in where a second factor is due (accounts/two_factor.py).
    "accounts.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Officials' sessions end after 30 minutes idle, applicants' after a day (accounts/sessions.py);
    # after the messages, which say why someone was signed out.
    "accounts.sessions.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a sign-in refused for lockout into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles and everything else from the portal itself,
# nothing inline (no `style=""`, no `<script>` without a source, no `on…=` handlers: the pages' bars
# are <progress>/<meter>, the API docs load their start-up script from a URL). `data:` images are
# the API docs' icons. tests/test_security_headers.py renders the pages and holds them to this.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): no page uses a device or sensor, so none may.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen", "geolocation",
        "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb", "browsing-topics",
    )
}  # fmt: skip

# Uploads: a file is stopped as soon as it passes portal.uploads.MAX_BYTES (20 MB), and a multipart
# request longer than that plus the form's fields is refused before it is read (413). Bodies other
# than files (forms, JSON) are held to Django's default 2.5 MB.
FILE_UPLOAD_HANDLERS = [
    "portal.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A refused CSRF check gets the portal's own 403 page, in the reader's language (portal/errors.py).
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

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
            # The language's own "：" and "（）" around translated text, in every template.
            "builtins": ["portal.templatetags.punctuation"],
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
LOGIN_REDIRECT_URL = "accounts:landing"  # each role's workspace (accounts.permissions.landing_url_name)
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


def storages_from_environment(*, static_backend: str) -> dict[str, dict]:
    """Uploads and generated files on S3-compatible storage (MinIO, a cloud's object storage) when
    AWS_STORAGE_BUCKET_NAME is set, on the local disk (MEDIA_ROOT) otherwise.

    On S3 every object is private (ACL and bucket policy): nothing is ever linked to directly. The
    portal reads a file through the storage API and streams it from the view that checked who may
    see it; a URL, if one were ever asked for, would be signed and expire in five minutes.
    """
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        default: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    else:
        default = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
                "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
                "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
                "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
                # MinIO and most S3-compatible servers want bucket/key paths, not bucket host names.
                "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE", "path"),
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                # Two uploads under one name get two objects, as on disk (S3Storage would overwrite).
                "file_overwrite": False,
            },
        }
    return {"default": default, "staticfiles": {"BACKEND": static_backend}}


STORAGES = storages_from_environment(static_backend="whitenoise.storage.CompressedManifestStaticFilesStorage")


def redis_cache(url: str) -> dict[str, Any]:
    """The shared cache on Redis (django-redis). A Redis that does not answer is a miss, never an
    error: decisions still commit and pages still answer, built each time (the queue's and the
    catalog's cached answers are only ever a copy), and each failure is logged."""
    return {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "OPTIONS": {"IGNORE_EXCEPTIONS": True}}


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# A shared cache (Redis) when several processes must agree: throttles, the cached catalog and queue.
CACHES = {
    "default": (
        redis_cache(os.environ["CACHE_URL"])
        if os.environ.get("CACHE_URL")
        # In one process (make run, tests): room for the catalog's and the queue's answers and
        # versions (the default 300 entries made it drop versions and rebuild answers).
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20000}}
    ),
    # Each process's copy of the public catalog's most asked whole answers (measures/caching.py):
    # checked against the catalog's version in the shared cache on every use, so never stale; it
    # saves carrying the largest (the measures list, 140 KB) from Redis on each visit.
    "process": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shared-answers",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
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
    # Calls: matching applicants told when a call opens and a week before it closes (once each).
    "notify-calls": {"task": "calls.tasks.notify_calls", "schedule": 600.0},
    # API keys past their expiry (a key is checked alone when used: accounts/authentication.py).
    "delete-expired-api-keys": {
        "task": "accounts.tasks.delete_expired_api_keys",
        "schedule": crontab(hour=3, minute=40),
    },
}
# How long an import's preview may wait for its confirmation (seconds).
STAGED_UPLOAD_MAX_AGE = 60 * 60

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON only (../shared/API.md): REST framework's browsable HTML pages carry inline styles the
    # CSP refuses; /api/docs/ is the API's page for people.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
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
# API keys (django-rest-knox, `Authorization: Token <key>`): only a SHA-512 hash is stored.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))  # how long a new key lasts unless told
API_TOKEN_MAX_DAYS = 365
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(days=API_TOKEN_DAYS),
    "AUTO_REFRESH": False,
}
# The second factor: the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "广东质量品牌政策兑现平台"
RECOVERY_CODE_COUNT = 10

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

# Plain text lines locally; production sets LOG_FORMAT's default to json (one object per line).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=os.environ.get("LOG_LEVEL", "INFO"))

# Policy text shipped with the code: the catalog's full texts are read from it.
POLICY_TEXT_PATH = BASE_DIR / "measures" / "data" / "guangdong-quality-brand-31-measures.zh.txt"

# Enterprise identity (accounts/identity.py, accounts/oidc.py). Government single sign-on by OpenID
# Connect (mozilla-django-oidc), on only when the client and the provider's endpoints are set: the
# provider (Guangdong's unified identity for legal persons) asserts the enterprise's credit code and
# name in the claims named below. Without it, officials check uploaded business licences.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT") or None
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid")
OIDC_CLAIM_CREDIT_CODE = os.environ.get("OIDC_CLAIM_CREDIT_CODE", "uscc")
OIDC_CLAIM_ENTERPRISE_NAME = os.environ.get("OIDC_CLAIM_ENTERPRISE_NAME", "enterprise_name")
OIDC_CLAIM_EMAIL = os.environ.get("OIDC_CLAIM_EMAIL", "email")
# A failed single sign-on comes back to the sign-in page, which says so.
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.oidc.GovernmentSSOBackend"]
# Officials of these departments (handlers and approvers; codes, comma-separated) check business
# licences, beside administrators: the market regulator issues the licences.
ENTERPRISE_VERIFICATION_DEPARTMENTS = env_list("ENTERPRISE_VERIFICATION_DEPARTMENTS", "amr")
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso_callback"
