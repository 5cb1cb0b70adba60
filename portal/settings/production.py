"""Production: every secret and every service from the environment; refuses to start without them.

Failing closed: without a broker tasks would run inside web requests, without a shared cache every
process would keep its own throttles, without an SMTP host password-reset links would be printed to
the log, and without SITE_URL notices would carry a link to 127.0.0.1. Each is an ImproperlyConfigured
at start naming the variable, never a quiet fallback.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from portal.observability import init_sentry, logging_config

from .base import *  # noqa: F403
from .base import env_bool, env_list

# Each required variable and what it is for (the message names both).
REQUIRED = {
    "SECRET_KEY": "a long random string",
    "DATABASE_URL": "e.g. postgres://portal:…@postgres:5432/portal",
    "ALLOWED_HOSTS": "the public host name(s), comma-separated",
    "AUDIT_HMAC_KEY": "the audit chain's key, a random string of at least 32 characters",
    "SITE_URL": "the portal's public address, e.g. https://portal.example.gov.cn (links in notices and emails)",
    "CELERY_BROKER_URL": "the task queue, e.g. redis://redis:6379/0 (without it tasks would run inside web requests)",
    "CACHE_URL": "a cache shared by every process, e.g. redis://redis:6379/1 (throttles, lockouts)",
    "EMAIL_HOST": "the SMTP server (password-reset links must never go to the log)",
}
# Email backends that do not deliver: they print, keep in memory, write files or drop the mail.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def _refuse(problem: str) -> None:
    raise ImproperlyConfigured(f"Production settings refused to start: {problem}")


_missing = [name for name in REQUIRED if not os.environ.get(name, "").strip()]
if _missing:
    _refuse("; ".join(f"{name} must be set in production ({REQUIRED[name]})" for name in _missing))

SECRET_KEY = os.environ["SECRET_KEY"]
# Kept out of the database and apart from SECRET_KEY: with it the audit chain could be recomputed.
AUDIT_HMAC_KEY = os.environ["AUDIT_HMAC_KEY"]
if len(AUDIT_HMAC_KEY) < 32 or AUDIT_HMAC_KEY == SECRET_KEY:
    _refuse("AUDIT_HMAC_KEY must be a random string of at least 32 characters, not SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

SITE_URL = os.environ["SITE_URL"].strip().rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.netloc or _site.hostname in {"127.0.0.1", "localhost"}:
    _refuse(f"SITE_URL must be the portal's public address, e.g. https://portal.example.gov.cn (not {SITE_URL!r})")

# The broker: a real one, and tasks go to it (a worker runs them), never inside the request.
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
if urlsplit(CELERY_BROKER_URL).scheme in {"memory", ""}:
    _refuse(f"CELERY_BROKER_URL must name a real broker, e.g. redis://redis:6379/0 (not {CELERY_BROKER_URL!r})")
if env_bool("CELERY_TASK_ALWAYS_EAGER", False):
    _refuse("CELERY_TASK_ALWAYS_EAGER must be off in production: tasks would run inside web requests")
CELERY_TASK_ALWAYS_EAGER = False

# The shared cache: Redis (base.py reads CACHE_URL); a per-process memory cache is refused.
if urlsplit(os.environ["CACHE_URL"]).scheme not in {"redis", "rediss"}:
    _refuse(f"CACHE_URL must be a Redis URL, e.g. redis://redis:6379/1 (not {os.environ['CACHE_URL']!r})")

# Mail is delivered over SMTP (or another backend that delivers); never printed or kept.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
if EMAIL_BACKEND in UNDELIVERED_EMAIL_BACKENDS:
    _refuse(f"EMAIL_BACKEND {EMAIL_BACKEND} does not deliver mail: use SMTP (EMAIL_HOST) in production")
EMAIL_HOST = os.environ["EMAIL_HOST"]
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 30

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# One JSON object per line on stdout, for the container's log collector.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=os.environ.get("LOG_LEVEL", "INFO"))

# Error reporting, only when SENTRY_DSN is set.
init_sentry(
    dsn=os.environ.get("SENTRY_DSN", ""),
    environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
    release=os.environ.get("SENTRY_RELEASE") or None,
    traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
)
IS_PRODUCTION = True
