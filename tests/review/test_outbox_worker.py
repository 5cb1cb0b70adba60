"""Nothing lost when the broker fails: with a real Redis stopped in the middle of the test, an
official's accept answers at once and commits with its outbox rows; once Redis is back, the
sweeper (the beat task, run by a real worker) hands them over, and the notice and the email exist
exactly once, however often the rows are handed over again."""

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification, User
from applications.models import Application, Notice, Status
from audit.models import AuditEvent
from portal import outbox
from portal.models import OutboxMessage
from portal.tasks import dispatch_outbox
from tests.conftest import celery_worker_running
from tests.support.broker import RedisServer, celery_broker

from .conftest import submit_new

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_an_accept_with_redis_stopped_answers_at_once_and_its_notice_and_email_follow_once(
    handler: User, api_client, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    submitted = submit_new()  # (in-process, before the broker is involved)
    with RedisServer(tmp_path) as redis, celery_broker(redis.url):
        redis.stop()
        assert not redis.answers()

        started = time.monotonic()
        response = api_client(handler).post(
            f"/api/v1/applications/{submitted.reference}/accept/", {"version": submitted.version}, format="json"
        )
        elapsed = time.monotonic() - started
        record_property("accept_seconds_with_the_broker_down", round(elapsed, 3))
        print(f"accept with Redis stopped: {elapsed:.3f} s")  # the figure, shown with -s
        assert response.status_code == 200, response.content
        assert elapsed < 5, f"the accept waited {elapsed:.1f} s for the broker"

        accepted = Application.objects.get(pk=submitted.pk)
        assert accepted.status == Status.ACCEPTED
        event = AuditEvent.objects.get(action="application.accept", object_id=str(accepted.pk))
        notification = Notification.objects.get(subject=f"Application {accepted.reference} accepted")
        rows = OutboxMessage.objects.filter(
            key__in=[
                f"notice:{accepted.pk}:{Notice.Kind.ACCEPTANCE}:{event.sequence}",
                f"notification-email:{notification.pk}",
            ]
        )
        assert rows.count() == 2
        assert not rows.filter(dispatched_at__isnull=False).exists()
        notices = Notice.objects.filter(application=accepted, kind=Notice.Kind.ACCEPTANCE)

        def emails() -> list[mail.EmailMessage]:
            return [m for m in mail.outbox if m.subject == notification.subject]

        assert not notices.exists() and emails() == []

        redis.start()
        with celery_worker_running():
            dispatch_outbox.delay()  # the beat task, through the broker: the worker sweeps
            assert _wait_for(lambda: not rows.filter(done_at__isnull=True).exists()), list(rows.values())
            assert notices.count() == 1
            assert len(emails()) == 1 and emails()[0].to == [notification.user.email]
            notification.refresh_from_db()
            assert notification.emailed_at is not None

            # Handed over again (a message lost, a worker killed before it reported): no second effect.
            rows.update(done_at=None, dispatched_at=timezone.now() - outbox.REDISPATCH_AFTER - dt.timedelta(minutes=1))
            assert outbox.sweep() == 2
            assert _wait_for(lambda: not rows.filter(done_at__isnull=True).exists()), list(rows.values())
            assert sorted(rows.values_list("attempts", flat=True)) == [2, 2]
            assert notices.count() == 1
            assert len(emails()) == 1
