"""The foundation: demo data, production settings, the Celery app."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from measures.catalog_loader import load_catalog
from measures.models import AmountParameter, Incentive, Measure

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_demo_data_is_idempotent_and_prints_logins_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_data", "--json")
    first = json.loads(capsys.readouterr().out)
    call_command("demo_data", "--json")
    second = json.loads(capsys.readouterr().out)
    assert first == second
    admin = next(a for a in first if a["role"] == "administrator")
    assert set(admin) >= {"username", "password", "role"}
    user = User.objects.get(username=admin["username"])
    assert user.check_password(admin["password"]) and user.is_superuser
    assert User.objects.filter(username=admin["username"]).count() == 1


@pytest.mark.django_db
def test_demo_data_prints_a_table_of_logins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_data")
    out = capsys.readouterr().out
    assert "admin" in out and "administrator" in out


@pytest.mark.django_db
def test_loading_the_catalog_again_adds_nothing_and_keeps_admin_edits() -> None:
    parameter = AmountParameter.objects.get(incentive__code="m17-china-quality-award-org", key="amount")
    parameter.value = 3100000
    parameter.save()
    added = load_catalog()
    assert set(added.values()) == {0}
    parameter.refresh_from_db()
    assert parameter.value == 3100000
    assert Measure.objects.count() == 31
    assert Incentive.objects.filter(code="m17-china-quality-award-org").count() == 1


def test_production_settings_pass_check_deploy_without_warnings() -> None:
    # Without the browser tests' async allowance, which check --deploy rightly flags.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": "sqlite:////tmp/portal-check-deploy.sqlite3",
        "ALLOWED_HOSTS": "portal.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production", DATABASE_URL="sqlite:////tmp/x.sqlite3", ALLOWED_HOSTS="x"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "AUDIT_HMAC_KEY must be set in production"),
        ("too-short", "AUDIT_HMAC_KEY must be a random string of at least 32 characters"),
    ],
)
def test_production_refuses_to_start_without_its_audit_key(key: str | None, message: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AUDIT_HMAC_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="sqlite:////tmp/x.sqlite3",
        ALLOWED_HOSTS="x",
    )
    if key is not None:
        env["AUDIT_HMAC_KEY"] = key
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert message in result.stderr
