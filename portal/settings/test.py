"""The test suite: the same settings, a fast hasher, email kept in memory.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so `.ci/run` runs this
same suite against PostgreSQL and Redis.
"""

import os

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

# The tests run in parallel (pytest-xdist), and several runs may share one Redis: each test
# process sends to and consumes from a queue of its own, so a `worker` test's worker never takes
# another process's task (whose rows live in another test database).
CELERY_TASK_DEFAULT_QUEUE = f"portal-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
