"""Production fails closed: `portal.settings.production` refuses to load without each service it needs,
and with them all it loads (and passes `check --deploy`). Each case imports the settings in a fresh
process with an environment made for it."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

# What docker-compose passes (the services need not answer: loading the settings connects to nothing).
COMPLETE = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": "s" * 50,
    "AUDIT_HMAC_KEY": "a" * 40,
    "DATABASE_URL": "postgres://portal:secret@postgres:5432/portal",
    "ALLOWED_HOSTS": "portal.example.gov.cn",
    "SITE_URL": "https://portal.example.gov.cn",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "CACHE_URL": "redis://redis:6379/1",
    "EMAIL_HOST": "smtp.example.gov.cn",
}

# Prints what the tests look at, as JSON, once the settings module has loaded.
PROBE = """
import importlib, json
import sentry_sdk
s = importlib.import_module("portal.settings.production")
client = sentry_sdk.get_client()
print(json.dumps({
    "SITE_URL": s.SITE_URL,
    "CELERY_TASK_ALWAYS_EAGER": s.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_BROKER_URL": s.CELERY_BROKER_URL,
    "CACHE": s.CACHES["default"]["BACKEND"],
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "EMAIL_HOST": s.EMAIL_HOST,
    "STORAGE": s.STORAGES["default"],
    "console_formatter": s.LOGGING["handlers"]["console"]["formatter"],
    "sentry": sentry_sdk.is_initialized(),
    "sentry_pii": client.options.get("send_default_pii") if client.is_active() else None,
    "sentry_integrations": sorted(client.integrations) if client.is_active() else [],
}))
"""


def load(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The production settings imported in a new process with exactly `env` (and PATH)."""
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def loaded(env: dict[str, str]) -> dict:
    result = load(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def refusal(env: dict[str, str]) -> str:
    result = load(env)
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_with_everything_given_the_settings_load() -> None:
    settings = loaded(COMPLETE)
    assert settings["SITE_URL"] == "https://portal.example.gov.cn"
    assert settings["CELERY_TASK_ALWAYS_EAGER"] is False
    assert settings["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert (
        settings["CACHE"] == "django_redis.cache.RedisCache"
    )  # a Redis that does not answer is a miss (test_cache_down.py)
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert settings["EMAIL_HOST"] == "smtp.example.gov.cn"
    assert settings["console_formatter"] == "json"


@pytest.mark.parametrize("variable", sorted(set(COMPLETE) - {"DJANGO_SETTINGS_MODULE"}))
def test_without_a_required_variable_the_settings_refuse_naming_it(variable: str) -> None:
    env = {k: v for k, v in COMPLETE.items() if k != variable}
    message = refusal(env)
    assert f"{variable} must be set in production" in message
    # Only the missing one is named.
    others = set(COMPLETE) - {variable, "DJANGO_SETTINGS_MODULE"}
    assert not any(f"{other} must be set" in message for other in others)


def test_an_empty_value_counts_as_missing() -> None:
    assert "SITE_URL must be set in production" in refusal({**COMPLETE, "SITE_URL": "  "})


def test_every_missing_variable_is_named_at_once() -> None:
    env = {k: v for k, v in COMPLETE.items() if k not in {"SITE_URL", "EMAIL_HOST", "CACHE_URL"}}
    message = refusal(env)
    assert all(f"{name} must be set" in message for name in ("SITE_URL", "EMAIL_HOST", "CACHE_URL"))


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SITE_URL", "http://127.0.0.1:8000", "SITE_URL must be the portal's public address"),
        ("SITE_URL", "portal.example.gov.cn", "SITE_URL must be the portal's public address"),
        ("CELERY_BROKER_URL", "memory://", "CELERY_BROKER_URL must name a real broker"),
        ("CELERY_TASK_ALWAYS_EAGER", "true", "CELERY_TASK_ALWAYS_EAGER must be off in production"),
        ("CACHE_URL", "locmem://", "CACHE_URL must be a Redis URL"),
        ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "does not deliver mail"),
        ("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend", "does not deliver mail"),
        ("AUDIT_HMAC_KEY", "too-short", "AUDIT_HMAC_KEY must be a random string of at least 32 characters"),
    ],
)
def test_a_value_that_would_not_fail_closed_is_refused(variable: str, value: str, expected: str) -> None:
    assert expected in refusal({**COMPLETE, variable: value})


def test_without_sentry_dsn_nothing_is_initialised() -> None:
    settings = loaded(COMPLETE)
    assert settings["sentry"] is False


def test_with_sentry_dsn_errors_are_reported_without_personal_data() -> None:
    # A DSN on a reserved name: initialising Sentry contacts nothing (events would be sent, and none is).
    settings = loaded({**COMPLETE, "SENTRY_DSN": "https://0123456789abcdef@sentry.example.invalid/1"})
    assert settings["sentry"] is True
    assert settings["sentry_pii"] is False
    assert {"django", "celery"} <= set(settings["sentry_integrations"])


def test_uploads_go_to_the_local_disk_unless_a_bucket_is_named() -> None:
    assert loaded(COMPLETE)["STORAGE"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_named_bucket_puts_uploads_on_private_s3_storage() -> None:
    storage = loaded(
        {
            **COMPLETE,
            "AWS_STORAGE_BUCKET_NAME": "portal-media",
            "AWS_S3_ENDPOINT_URL": "http://minio:9000",
            "AWS_ACCESS_KEY_ID": "portal",
            "AWS_SECRET_ACCESS_KEY": "minio-secret",
        }
    )["STORAGE"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "portal-media"
    assert options["endpoint_url"] == "http://minio:9000"
    assert (options["access_key"], options["secret_key"]) == ("portal", "minio-secret")
    # Private objects; a URL, if one were ever made, signed and short-lived; no overwriting.
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True and options["querystring_expire"] <= 600
    assert options["file_overwrite"] is False


def test_production_settings_pass_check_deploy_without_warnings() -> None:
    env = {
        **COMPLETE,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": "sqlite:////tmp/portal-check-deploy.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
