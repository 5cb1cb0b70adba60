"""The shared cache is a copy, never the record: with its Redis not answering (a real connection
refused, through the production backend's settings), a decision commits, the queue API and the
catalog and queue pages still answer (built each time), and each failed read or write is logged."""

import logging

import pytest

from accounts.models import User
from applications.models import Application, Status
from portal.settings.base import redis_cache
from tests.review.conftest import submit_new

pytestmark = pytest.mark.django_db

NOBODY_LISTENS = "redis://127.0.0.1:1/0"  # port 1: refused at once


@pytest.fixture
def cache_down(settings: object) -> None:
    settings.CACHES = {"default": redis_cache(NOBODY_LISTENS)}  # type: ignore[attr-defined]


def test_with_the_cache_down_a_decision_commits_and_the_pages_answer(
    cache_down: None, handler: User, api_client, page_client, client, caplog: pytest.LogCaptureFixture
) -> None:
    from django.core.cache import cache

    assert cache.get("anything") is None and cache.set("anything", 1) is None  # a miss, not an error
    submitted = submit_new()
    with caplog.at_level(logging.ERROR, logger="django_redis.cache"):
        response = api_client(handler).post(
            f"/api/v1/applications/{submitted.reference}/accept/", {"version": submitted.version}, format="json"
        )
    assert response.status_code == 200, response.content
    assert Application.objects.get(pk=submitted.pk).status == Status.ACCEPTED
    assert any("Connection" in record.getMessage() or record.exc_info for record in caplog.records)
    queue = api_client(handler).get("/api/v1/queue/")
    assert queue.status_code == 200
    assert {r["reference"]: r["status"] for r in queue.json()["results"]}[submitted.reference] == Status.ACCEPTED
    assert page_client(handler).get("/review/").status_code == 200
    catalog = client.get("/")
    assert catalog.status_code == 200 and 'class="measure-item"' in catalog.content.decode()
