"""/health/: the database, the cache, the broker and the file storage, for the containers'
healthchecks (django-health-check); /healthz/ stays the cheap liveness answer."""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from celery import Celery
from django.test import Client

from portal.health import Broker


@pytest.mark.django_db
def test_health_reports_each_service_ok(client: Client) -> None:
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    report = response.json()
    assert [name.split("(")[0] for name in report] == ["Database", "Cache", "Broker", "Storage"]
    assert set(report.values()) == {"OK"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_fails_and_names_the_storage_when_uploads_cannot_be_written(
    client: Client, settings: object, tmp_path: Path
) -> None:
    not_a_directory = tmp_path / "media"
    not_a_directory.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = not_a_directory  # type: ignore[attr-defined]
    response = client.get("/health/?format=text")
    assert response.status_code == 500
    lines = response.content.decode().splitlines()
    failed = [line for line in lines if not line.endswith(": OK")]
    assert len(failed) == 1 and failed[0].startswith("Storage(alias='default'): ")


def result_of(check: Broker) -> str | None:
    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, check.get_result()).result()
    return None if result.error is None else str(result.error)


def test_an_unreachable_broker_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery prefers it to the app's own broker
    # Nothing listens on port 1 of this machine: the connection is refused at once.
    app = Celery(broker="redis://127.0.0.1:1/0", set_as_current=False)
    app.conf.broker_transport_options = {"socket_connect_timeout": 2}
    assert result_of(Broker(app=app)) == "Unavailable: Broker unreachable: OperationalError"


def test_with_tasks_run_in_process_there_is_no_broker_to_check() -> None:
    app = Celery(broker="redis://127.0.0.1:1/0", set_as_current=False)
    app.conf.task_always_eager = True
    assert result_of(Broker(app=app)) is None


@pytest.mark.worker
def test_the_configured_broker_answers() -> None:
    app = Celery(broker=os.environ["CELERY_BROKER_URL"], set_as_current=False)
    assert result_of(Broker(app=app)) is None


@pytest.mark.django_db
def test_healthz_stays_one_query(client: Client, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert client.get("/healthz/").json() == {"status": "ok"}
