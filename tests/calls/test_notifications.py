"""Applicants whose profile may fit a call's incentive are told once when it opens and once a week
before it closes (inbox and email, through the outbox); a second run sends nothing."""

from collections.abc import Callable

import pytest
import time_machine
from django.core import mail

from accounts.models import Notification, User
from calls.models import Call, CallNotification
from calls.tasks import notify_calls
from tests.applications.helpers import FIXED, PER_UNIT
from tests.calls.conftest import at
from tests.factories import EnterpriseUserFactory, IndividualUserFactory, QualificationFactory

pytestmark = pytest.mark.django_db


def _run(when: str, capture: Callable[..., object]) -> dict[str, int]:
    with time_machine.travel(at(when), tick=False), capture(execute=True):  # type: ignore[operator]
        return notify_calls()


def test_fitting_applicants_are_told_once_when_it_opens_and_once_a_week_before_it_closes(
    make_call: Callable[..., Call], django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    call = make_call(FIXED, opens="2026-03-01 09:00", closes="2026-03-31 17:00")
    winner: User = EnterpriseUserFactory()
    colleague = EnterpriseUserFactory(applicant=winner.applicant, is_applicant_admin=False)
    QualificationFactory(applicant=winner.applicant, qualification="china_quality_award")
    EnterpriseUserFactory()  # without the award: ruled out by the incentive's criterion
    IndividualUserFactory()  # the incentive is for organisations

    assert _run("2026-03-01 08:50", django_capture_on_commit_callbacks) == {"opened": 0, "closing": 0}
    assert _run("2026-03-01 09:00", django_capture_on_commit_callbacks) == {"opened": 1, "closing": 0}
    opened = Notification.objects.filter(user__in=[winner, colleague])
    assert opened.count() == 2
    assert {n.subject for n in opened} == {"Call for applications open: Call for applications 2026"}
    assert "until 2026-03-31 17:00 (Beijing time)" in opened.first().body  # type: ignore[union-attr]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([winner.email, colleague.email])

    assert _run("2026-03-10 09:00", django_capture_on_commit_callbacks) == {"opened": 0, "closing": 0}
    assert _run("2026-03-24 16:59", django_capture_on_commit_callbacks) == {"opened": 0, "closing": 0}
    assert _run("2026-03-24 17:00", django_capture_on_commit_callbacks) == {"opened": 0, "closing": 1}
    closing = Notification.objects.filter(user=winner, subject__startswith="Call closes soon")
    assert closing.count() == 1
    assert "closes on 2026-03-31 17:00 (Beijing time)" in closing.get().body
    assert _run("2026-03-25 09:00", django_capture_on_commit_callbacks) == {"opened": 0, "closing": 0}
    assert _run("2026-04-01 09:00", django_capture_on_commit_callbacks) == {"opened": 0, "closing": 0}

    assert sorted(CallNotification.objects.filter(call=call).values_list("kind", flat=True)) == ["closing", "opened"]
    assert Notification.objects.count() == 4
    assert len(mail.outbox) == 4


def test_a_rerun_after_a_lost_stamp_sends_nothing_twice(
    make_call: Callable[..., Call], django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    call = make_call(PER_UNIT, opens="2026-03-01 09:00", closes="2026-03-31 17:00")
    EnterpriseUserFactory()  # measure 15's condition is a declaration: every enterprise may fit
    assert _run("2026-03-02 09:00", django_capture_on_commit_callbacks)["opened"] == 1
    Call.objects.filter(pk=call.pk).update(opened_notified_at=None)  # as if the run died before its stamp
    assert _run("2026-03-02 09:10", django_capture_on_commit_callbacks)["opened"] == 0
    assert Notification.objects.count() == 1


def test_the_beat_schedule_runs_the_task(settings: object) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE  # type: ignore[attr-defined]
    assert schedule["notify-calls"]["task"] == "calls.tasks.notify_calls"
