"""The foundation: demo data and the catalog (production settings: tests/ops/test_production_settings.py)."""

import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from measures.catalog_loader import load_catalog
from measures.models import AmountParameter, Incentive, Measure


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


@pytest.mark.parametrize(
    ("arguments", "printed"),
    [
        ([], "http://127.0.0.1:8000"),
        (["ADDRESS=127.0.0.1:8042"], "http://127.0.0.1:8042"),
        (["ADDRESS=8043"], "http://127.0.0.1:8043"),
        (["ADDRESS=0.0.0.0:8044"], "http://127.0.0.1:8044"),
        (["ADDRESS=0.0.0.0:8045", "SITE_URL=https://portal.example.gov.cn"], "https://portal.example.gov.cn"),
    ],
)
def test_make_run_prints_and_links_the_address_it_serves(arguments: list[str], printed: str) -> None:
    """`make run ADDRESS=…` prints its demo logins (and writes links) with the address it serves on."""
    recipe = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", *arguments],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    demo = next(line for line in recipe.splitlines() if "demo_data" in line)
    serve = next(line for line in recipe.splitlines() if "runserver" in line)
    assert demo.startswith(f"SITE_URL={printed} ") and serve.startswith(f"SITE_URL={printed} ")
