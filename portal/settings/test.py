"""The test suite: the same settings, a fast hasher, email kept in memory.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so `.ci/run` runs this
same suite against PostgreSQL and Redis.
"""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# Static files are found by the finders on request, as in development: no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tests run tasks in-process even when a broker is configured (.ci/run's second pass): only the
# tests that use the `celery_worker` fixture switch to the real broker and a real worker.
CELERY_TASK_ALWAYS_EAGER = True
