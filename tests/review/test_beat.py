"""Celery beat's daily work, with time frozen by passing the day: an application whose supplement
deadline passed lapses (with its notice and a message to the applicant), handlers get a digest of
their open and overdue items, applicants a reminder two working days before a deadline."""

import datetime as dt
from types import SimpleNamespace

import pytest

from accounts.models import Notification
from applications import notices, review, tasks
from applications.models import Application, Notice, Status
from applications.services import application_supplement
from audit.models import AuditEvent
from tests.factories import EnterpriseUserFactory

from .conftest import submit_new

pytestmark = pytest.mark.django_db

D = dt.date
FROZEN = D(2026, 2, 12)  # a Thursday before Spring Festival 2026


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, int]]:
    """Services see FROZEN as today; notice generation is recorded instead of run."""
    monkeypatch.setattr(review, "_today", lambda: FROZEN)
    scheduled: list[tuple[int, str, int]] = []

    def issue(*, application_id: int, kind: str, event_sequence: int) -> SimpleNamespace:
        scheduled.append((application_id, kind, event_sequence))
        return SimpleNamespace(number="")

    monkeypatch.setattr(notices, "issue_notice", issue)
    return scheduled


def _returned(handler, user=None) -> Application:
    return review.application_return(actor=handler, application=submit_new(user), missing="the award decision")


def test_a_missed_supplement_deadline_lapses_the_application(
    frozen, handler, django_capture_on_commit_callbacks
) -> None:
    user = EnterpriseUserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        returned = _returned(handler, user)
    assert returned.supplement_deadline == D(2026, 3, 4)  # 10 working days across the festival
    frozen.clear()

    assert review.applications_lapse_overdue(today=D(2026, 3, 4)) == 0  # the deadline day itself is allowed
    assert Application.objects.get(pk=returned.pk).status == Status.RETURNED
    with django_capture_on_commit_callbacks(execute=True):
        assert review.applications_lapse_overdue(today=D(2026, 3, 5)) == 1
    lapsed = Application.objects.get(pk=returned.pk)
    assert lapsed.status == Status.LAPSED
    event = AuditEvent.objects.filter(action="application.lapse", object_id=str(lapsed.pk)).get()
    assert event.actor is None and event.actor_label == "system"
    assert "2026-03-04" in event.reason
    assert event.visible_to_applicant
    assert [(pk, kind) for pk, kind, _seq in frozen] == [(lapsed.pk, Notice.Kind.LAPSE)]
    assert Notification.objects.filter(user=user, subject__contains="lapsed").count() == 1
    # Run again (a retried beat): nothing more happens.
    with django_capture_on_commit_callbacks(execute=True):
        assert review.applications_lapse_overdue(today=D(2026, 3, 6)) == 0
    assert AuditEvent.objects.filter(action="application.lapse").count() == 1
    assert len(frozen) == 1


def test_an_answered_supplement_never_lapses(frozen, handler) -> None:
    user = EnterpriseUserFactory()
    returned = _returned(handler, user)
    application_supplement(actor=user, application=returned, note="added the decision")
    assert review.applications_lapse_overdue(today=D(2026, 6, 1)) == 0
    assert Application.objects.get(pk=returned.pk).status == Status.SUBMITTED


def test_the_task_runs_the_same_function(frozen, handler) -> None:
    returned = _returned(handler)
    Application.objects.filter(pk=returned.pk).update(supplement_deadline=D(2020, 1, 1))
    assert tasks.lapse_missed_supplements() == 1
    assert Application.objects.get(pk=returned.pk).status == Status.LAPSED


def test_handlers_get_a_daily_digest_of_their_open_and_overdue_items(frozen, handler, handler2, approver) -> None:
    on_time = review.application_accept(actor=handler, application=submit_new())  # due 18 March
    late = review.application_accept(actor=handler, application=submit_new())
    Application.objects.filter(pk=late.pk).update(stage_due_on=D(2026, 3, 1))
    reviewed = review.application_start_review(
        actor=handler, application=review.application_accept(actor=handler, application=submit_new())
    )
    closed = review.application_confirm_rejection(
        actor=approver,
        application=review.application_propose(actor=handler, application=reviewed, support=False, reasons="no"),
    )
    assert on_time.assigned_to == late.assigned_to == closed.assigned_to == handler
    assert closed.status == Status.REJECTED  # assigned, but no longer open

    assert review.handler_digests_send(today=D(2026, 3, 2)) == 1
    digest = Notification.objects.get(user=handler)
    assert "2026-03-02" in digest.subject
    assert digest.body == "2 open applications, 1 overdue; 0 submitted in your department and not yet claimed."
    assert digest.link == "/review/"
    assert not Notification.objects.filter(user__in=[handler2, approver]).exists()


def test_unclaimed_submissions_reach_every_handler_of_the_department(frozen, handler, handler2, approver) -> None:
    submit_new()
    assert review.handler_digests_send(today=D(2026, 3, 2)) == 2
    for user in (handler, handler2):
        assert Notification.objects.get(user=user).body.endswith("1 submitted in your department and not yet claimed.")
    assert not Notification.objects.filter(user=approver).exists()


def test_applicants_are_reminded_two_working_days_before_the_deadline(frozen, handler) -> None:
    user = EnterpriseUserFactory()
    colleague = EnterpriseUserFactory(applicant=user.applicant, is_applicant_admin=False)
    returned = _returned(handler, user)  # due 4 March 2026
    other = _returned(handler)
    Application.objects.filter(pk=other.pk).update(supplement_deadline=D(2026, 3, 5))
    Notification.objects.all().delete()

    assert review.supplement_reminders_send(today=D(2026, 2, 28)) == 0  # three working days before
    assert review.supplement_reminders_send(today=D(2026, 3, 2)) == 1  # 3 and 4 March left
    reminded = Notification.objects.filter(subject__contains=returned.reference)
    assert {n.user for n in reminded} == {user, colleague}
    assert all("2026-03-04" in n.subject for n in reminded)
    assert reminded.first().body == "the award decision"
