"""Mixed work on one incentive at the same moment, on PostgreSQL (SQLite has no row locks): 12
enterprises start drafts while 12 others submit, and the department returns, approves and sends
back others' applications. Nothing fails (once, 10 of 12 requests deadlocked between the incentive
row, locked along with the budget by an approval, and the audit chain's head, which every write
held until it committed), every submission gets its own reference, and the audit chain verifies.

And the two locks behind that deadlock are gone: a transaction that wrote an audit event and is
still open holds up no other writer, and an approval in progress holds up no new draft.

Each thread has its own connection (closed at the end); a barrier releases them together.
"""

import logging
import re
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from applications import notices, review
from applications.models import Application, Status
from applications.services import application_create, application_submit
from audit.models import AuditEvent
from audit.services import audit_record, audit_seal, audit_verify
from measures.models import Incentive
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import EnterpriseUserFactory
from tests.support.threads import race

from .conftest import fund, submit_new

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

logger = logging.getLogger(__name__)


@pytest.fixture(autouse=True)
def _no_pdfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Notices are another test's concern: their generation is not run here."""
    monkeypatch.setattr(notices, "issue_notice", lambda **kwargs: SimpleNamespace(number=""))


def _proposed(handler: User) -> Application:
    accepted = review.application_accept(actor=handler, application=submit_new())
    reviewed = review.application_start_review(actor=handler, application=accepted)
    return review.application_propose(actor=handler, application=reviewed, support=True, reasons="符合条件")


def test_drafts_submissions_returns_approvals_and_send_backs_at_once(handler: User, approver: User) -> None:
    fund()
    incentive = Incentive.objects.get(code=FIXED)
    year = timezone.localdate().year
    starters = EnterpriseUserFactory.create_batch(12)
    drafts = [complete_draft(EnterpriseUserFactory(), FIXED) for _ in range(12)]
    to_return = [submit_new() for _ in range(3)]
    to_approve = [_proposed(handler) for _ in range(3)]
    to_send_back = [_proposed(handler) for _ in range(3)]
    audit_seal()
    events_before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    actions: list[Callable[[], Any]] = [
        *(lambda u=u: application_create(actor=u, incentive=incentive, fiscal_year=year) for u in starters),
        *(lambda d=d: application_submit(actor=d.created_by, application=d, credit_commitment=True) for d in drafts),
        *(
            lambda a=a: review.application_return(actor=handler, application=a, missing="获奖证书原件")
            for a in to_return
        ),
        *(lambda a=a: review.application_approve(actor=approver, application=a) for a in to_approve),
        *(
            lambda a=a: review.application_send_back(actor=approver, application=a, reason="请核实金额")
            for a in to_send_back
        ),
    ]
    started = time.perf_counter()
    errors = [value for outcome, value in race(*actions) if outcome == "error"]
    elapsed = time.perf_counter() - started
    logger.warning("mixed run: %d actions in %.2f s", len(actions), elapsed)

    assert errors == []
    assert Application.objects.filter(applicant__users__in=starters, status=Status.DRAFT).count() == 12
    assert set(Application.objects.filter(pk__in=[d.pk for d in drafts]).values_list("status", flat=True)) == {
        Status.SUBMITTED
    }
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in to_return])} == {Status.RETURNED}
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in to_approve])} == {Status.APPROVED}
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in to_send_back])} == {Status.UNDER_REVIEW}
    # Every submission has its own reference, the series without gaps (the 9 prepared ones first).
    references = list(Application.objects.filter(reference__gt="").values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 9 + 12
    assert all(re.fullmatch(rf"QB-{year}-17-\d{{6}}", r) for r in references)
    assert sorted(int(r[-6:]) for r in references) == list(range(1, 22))
    # Each action's event, all of them chained, and the chain verifies.
    audit_seal()
    recorded = AuditEvent.objects.filter(sequence__gt=events_before, object_type="applications.application")
    assert sorted(recorded.values_list("action", flat=True)) == sorted(
        ["application.create"] * 12
        + ["application.submit"] * 12
        + ["application.return"] * 3
        + ["application.approve"] * 3
        + ["application.send_back"] * 3
    )
    assert not AuditEvent.objects.filter(position__isnull=True).exists()
    assert audit_verify() is None


def _while_open(hold: Callable[[], Any], other: Callable[[], Any]) -> bool:
    """Runs `hold` in a transaction kept open until `other`, in another thread, has finished (or
    5 s have passed); True when `other` finished while the transaction was still open."""
    held, finished = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def holder() -> None:
        try:
            with transaction.atomic():
                hold()
                held.set()
                outcome["in_time"] = finished.wait(timeout=5)
        except BaseException as error:
            outcome["error"] = error
        finally:
            held.set()
            connection.close()

    def runner() -> None:
        try:
            assert held.wait(timeout=30)
            other()
        except BaseException as error:
            outcome["other_error"] = error
        finally:
            finished.set()
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=runner)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert "error" not in outcome and "other_error" not in outcome, outcome
    return bool(outcome.get("in_time"))


def test_an_open_transaction_that_wrote_an_audit_event_holds_up_no_other_writer() -> None:
    user = EnterpriseUserFactory()
    incentive = Incentive.objects.get(code=FIXED)
    assert _while_open(
        lambda: audit_record(actor=None, action="test.long_import", obj=incentive),
        lambda: application_create(actor=user, incentive=incentive, fiscal_year=timezone.localdate().year),
    )
    assert audit_seal() == 0  # both sealed when they committed
    assert list(AuditEvent.objects.order_by("position").values_list("action", flat=True)) == [
        "application.create",  # committed first, chained first
        "test.long_import",
    ]
    assert audit_verify() is None


def test_an_approval_in_progress_holds_up_no_new_draft_for_its_incentive(handler: User, approver: User) -> None:
    fund()
    proposed = _proposed(handler)
    user = EnterpriseUserFactory()
    assert _while_open(
        lambda: review.application_approve(actor=approver, application=proposed),
        lambda: application_create(actor=user, incentive=proposed.incentive, fiscal_year=proposed.fiscal_year),
    )
    assert Application.objects.get(pk=proposed.pk).status == Status.APPROVED
    assert Application.objects.filter(applicant=user.applicant, status=Status.DRAFT).exists()
