"""The outbox (portal/outbox.py) around an official's accept, tasks in-process (no broker): what
must be sent is written in the accept's transaction, a rollback loses it with the accept, a commit
makes exactly one notice and one email, the sweeper hands over what was left and handing a row over
again never repeats its effect. And with the broker unreachable, the accept does not wait for it."""

import datetime as dt
import socket
import time

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification, User
from accounts.tasks import send_notification_email
from applications import review
from applications.models import Application, Notice, Status
from applications.tasks import generate_notice
from audit.models import AuditEvent
from portal import outbox
from portal.models import OutboxMessage
from portal.tasks import dispatch_outbox, purge_outbox
from tests.support.broker import celery_broker, free_port

pytestmark = pytest.mark.django_db

LONG_AGO = outbox.REDISPATCH_AFTER + dt.timedelta(minutes=1)


@pytest.fixture
def submitted(submitted: Application) -> Application:
    """A submitted application whose own messages (the submission's email) are sent: the outbox is empty."""
    outbox.sweep()
    assert not outbox.pending().exists()
    return submitted


def _accepted_mail(application: Application) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.subject == f"Application {application.reference} accepted"]


def _acceptance_notices(application: Application) -> "list[Notice]":
    return list(Notice.objects.filter(application=application, kind=Notice.Kind.ACCEPTANCE))


def _accept_keys(application: Application) -> set[str]:
    """The outbox keys of the accept: its notice and the email of its notification."""
    event = AuditEvent.objects.get(action="application.accept", object_id=str(application.pk))
    notification = Notification.objects.get(subject=f"Application {application.reference} accepted")
    return {
        f"notice:{application.pk}:{Notice.Kind.ACCEPTANCE}:{event.sequence}",
        f"notification-email:{notification.pk}",
    }


def test_a_rolled_back_accept_leaves_neither_outbox_row_nor_notification(
    handler: User, submitted: Application, django_capture_on_commit_callbacks
) -> None:
    rows, notifications = OutboxMessage.objects.count(), Notification.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        review.application_accept(actor=handler, application=submitted)
        # Inside the transaction: the notification, and the rows for its email and the notice.
        assert Notification.objects.count() == notifications + 1
        assert OutboxMessage.objects.count() == rows + 2
        raise RuntimeError("the request fails after the accept")
    assert callbacks == []
    assert Application.objects.get(pk=submitted.pk).status == Status.SUBMITTED
    assert OutboxMessage.objects.count() == rows
    assert Notification.objects.count() == notifications
    assert _acceptance_notices(submitted) == [] and _accepted_mail(submitted) == []


def test_a_committed_accept_makes_one_notice_and_one_email(
    handler: User, submitted: Application, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        accepted = review.application_accept(actor=handler, application=submitted)
    assert len(_acceptance_notices(accepted)) == 1
    assert len(_accepted_mail(accepted)) == 1
    rows = OutboxMessage.objects.filter(key__in=_accept_keys(accepted))
    assert rows.count() == 2
    assert all(row.done_at is not None and row.attempts == 1 and row.last_error == "" for row in rows)
    assert outbox.sweep() == 0


def test_the_sweeper_hands_over_what_was_left_and_a_second_sweep_adds_nothing(
    handler: User, submitted: Application, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the process died right after commit
        accepted = review.application_accept(actor=handler, application=submitted)
    assert set(outbox.pending().values_list("key", flat=True)) == _accept_keys(accepted)
    assert _acceptance_notices(accepted) == [] and _accepted_mail(accepted) == []

    assert dispatch_outbox() == 2  # the beat task: every minute
    assert len(_acceptance_notices(accepted)) == 1
    assert len(_accepted_mail(accepted)) == 1
    assert not outbox.pending().exists()

    assert outbox.sweep() == 0
    assert dispatch_outbox() == 0
    assert len(_acceptance_notices(accepted)) == 1
    assert len(_accepted_mail(accepted)) == 1


def test_a_row_handed_over_again_does_not_repeat_its_effect(
    handler: User, submitted: Application, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        accepted = review.application_accept(actor=handler, application=submitted)
    rows = OutboxMessage.objects.filter(key__in=_accept_keys(accepted))
    # The broker lost the messages, or a worker died before it reported: an hour on, not done.
    rows.update(done_at=None, dispatched_at=timezone.now() - LONG_AGO)
    assert outbox.sweep() == 2
    assert len(_acceptance_notices(accepted)) == 1
    assert len(_accepted_mail(accepted)) == 1
    assert sorted(rows.values_list("attempts", flat=True)) == [2, 2]
    assert not rows.filter(done_at__isnull=True).exists()

    # A message the broker delivers twice: the tasks find their work done.
    notice = _acceptance_notices(accepted)[0]
    kind, sequence = Notice.Kind.ACCEPTANCE, notice.event_sequence
    assert generate_notice(application_id=accepted.pk, kind=kind, event_sequence=sequence) == notice.number
    notification = Notification.objects.get(subject=f"Application {accepted.reference} accepted")
    assert send_notification_email(notification.pk) is False
    assert len(_acceptance_notices(accepted)) == 1 and len(_accepted_mail(accepted)) == 1


def test_a_failing_task_keeps_its_error_and_is_tried_again_a_few_times(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(
            generate_notice, {"application_id": 0, "kind": Notice.Kind.ACCEPTANCE, "event_sequence": 0}
        )
    message.refresh_from_db()
    assert message.done_at is None and message.attempts == 1
    assert "DoesNotExist" in message.last_error
    assert outbox.sweep() == 0  # not again before an hour has passed
    for attempt in range(2, outbox.MAX_HANDOVERS + 1):
        OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=timezone.now() - LONG_AGO)
        assert outbox.sweep() == 1
        message.refresh_from_db()
        assert message.attempts == attempt and message.done_at is None
    OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=timezone.now() - LONG_AGO)
    assert outbox.sweep() == 0  # given up: it stays in the admin's outbox list with its error


def test_work_with_a_key_is_recorded_once() -> None:
    arguments = {"to": "a@example.com", "subject": "s", "body": "b", "key": "k"}
    first = outbox.enqueue("accounts.tasks.send_email_task", arguments, key="k")
    second = outbox.enqueue("accounts.tasks.send_email_task", arguments, key="k")
    assert first.pk == second.pk
    assert OutboxMessage.objects.filter(key="k").count() == 1
    assert outbox.enqueue("accounts.tasks.send_email_task", arguments).pk != first.pk  # no key: always


def test_with_the_broker_unreachable_an_accept_answers_at_once_and_its_work_waits(
    handler: User, submitted: Application, api_client, django_capture_on_commit_callbacks
) -> None:
    """Nothing listens on the port: the hand-over is refused, logged and kept for the sweeper."""
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client(handler).post(
                f"/api/v1/applications/{submitted.reference}/accept/", {"version": submitted.version}, format="json"
            )
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.content
        assert elapsed < 3, f"the accept waited {elapsed:.1f} s for the broker"
        accepted = Application.objects.get(pk=submitted.pk)
        assert accepted.status == Status.ACCEPTED
        rows = list(OutboxMessage.objects.filter(key__in=_accept_keys(accepted)))
        assert len(rows) == 2
        assert all(row.dispatched_at is None and row.done_at is None for row in rows)
        assert any("Connection refused" in row.last_error for row in rows)
        assert _acceptance_notices(accepted) == [] and _accepted_mail(accepted) == []
        # Right after a refusal, this process does not even try: the sweeper will.
        assert outbox.dispatch_after_commit([row.pk for row in rows]) == 0


def test_a_broker_that_never_answers_costs_one_short_timeout_then_nothing(db: None) -> None:
    """A half-open broker (it accepts the connection, then says nothing): the hand-over gives up
    after PUBLISH_TIMEOUT, and for BROKER_BACKOFF this process does not try again."""
    message = outbox.enqueue("accounts.tasks.send_email_task", {"to": "a@example.com", "subject": "s", "body": "b"})
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        with celery_broker(f"redis://127.0.0.1:{mute.getsockname()[1]}/0"):
            started = time.monotonic()
            assert outbox.dispatch_after_commit([message.pk]) == 0
            first = time.monotonic() - started
            started = time.monotonic()
            assert outbox.dispatch_after_commit([message.pk]) == 0
            second = time.monotonic() - started
    assert first < 3 * outbox.PUBLISH_TIMEOUT, first
    assert second < 0.1, second
    message.refresh_from_db()
    assert message.dispatched_at is None and "Timeout" in message.last_error


def test_rows_done_a_month_ago_are_purged_and_rows_not_done_never() -> None:
    done = outbox.enqueue("accounts.tasks.send_email_task", {"to": "a@example.com", "subject": "s", "body": "b"})
    waiting = outbox.enqueue("accounts.tasks.send_email_task", {"to": "b@example.com", "subject": "s", "body": "b"})
    recent = outbox.enqueue("accounts.tasks.send_email_task", {"to": "c@example.com", "subject": "s", "body": "b"})
    long_ago = timezone.now() - outbox.KEEP_DONE - dt.timedelta(days=1)
    OutboxMessage.objects.filter(pk=done.pk).update(done_at=long_ago, dispatched_at=long_ago)
    OutboxMessage.objects.filter(pk=waiting.pk).update(dispatched_at=long_ago)
    OutboxMessage.objects.filter(pk=recent.pk).update(done_at=timezone.now())
    assert purge_outbox() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
