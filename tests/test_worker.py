"""The real queue: a notification's email is sent by a Celery worker through Redis, once."""

import time

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Notification
from accounts.services import notification_send
from tests.factories import EnterpriseUserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_notification_is_emailed_by_the_worker(celery_worker: None) -> None:
    from portal.celery import app

    assert not app.conf.task_always_eager, "this test must go through the broker"
    user = EnterpriseUserFactory(email="applicant@example.com")
    with transaction.atomic():
        notification = notification_send(user=user, subject="申报已受理", body="您的申报已受理。")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.emailed_at and any(m.subject == "申报已受理" for m in mail.outbox):
            break
        time.sleep(0.2)
    assert notification.emailed_at is not None
    assert [m.to for m in mail.outbox if m.subject == "申报已受理"] == [["applicant@example.com"]]
    assert Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).count() == 1
