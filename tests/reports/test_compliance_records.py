"""Time-limit compliance from stage records equals what the audit-based computation (the one the
dashboards ran before stage records, kept below as the reference) gave on the same history:
decisions in time and late, supplements that restart the clock, send-backs, withdrawals, two
departments, each year and every year."""

import datetime as dt
from typing import Any

import pytest
from django.db.models import CharField, Count, F, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from accounts.models import OfficialRole, User
from applications import review
from applications.models import Application
from applications.services import application_submit, application_supplement, application_withdraw
from applications.stages import DECISION_ACTIONS
from applications.states import OPEN_STATUSES
from audit.models import AuditEvent
from reports.scope import ReportScope
from reports.selectors import Compliance, applications_in, time_limit_compliance
from reports.tallies import TALLIES, recount, totals
from tests.applications.helpers import FIXED, PER_UNIT, complete_draft
from tests.factories import EnterpriseUserFactory
from tests.support.clock import clock_moved
from tests.support.reports import official

pytestmark = pytest.mark.django_db

NON_MONETARY = "m20-guangdong-famous-brand"  # handled by amr, as the quality awards: submitted → accepted → handled


def audit_based_compliance(
    scope: ReportScope, fiscal_year: int | None = None, *, today: dt.date | None = None
) -> Compliance:
    """The dashboards' computation before stage records (reports/selectors.py until issue 10),
    kept here as the reference the stage records must agree with: open applications past their stage's due date, and
    review decisions (propose, not support, handled) taken on or before the review deadline set at
    acceptance (two queries).

    The deadline is read from the latest acceptance event before each decision in the audit trail
    (`after.stage_due_on`, an ISO date): ISO dates compare correctly as text, on SQLite and
    PostgreSQL alike.
    """
    today = today or timezone.localdate()
    applications = applications_in(scope, fiscal_year)
    open_counts = applications.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, stage_due_on__lt=today)),
    )
    kind = Application._meta.label_lower
    deadline = (
        AuditEvent.objects.filter(
            object_type=kind,
            object_id=OuterRef("object_id"),
            action="application.accept",
            sequence__lt=OuterRef("sequence"),
        )
        .order_by("-sequence")
        .values(due=KT("after__stage_due_on"))[:1]
    )
    decisions = (
        AuditEvent.objects.filter(
            object_type=kind,
            action__in=[f"application.{action}" for action in DECISION_ACTIONS],
            object_id__in=applications.order_by().values(key=Cast("pk", CharField())),
        )
        .annotate(due=Subquery(deadline), on=Cast(TruncDate("at"), CharField()))
        .aggregate(
            decided=Count("pk", filter=Q(due__isnull=False)),
            in_time=Count("pk", filter=Q(due__isnull=False, on__lte=F("due"))),
        )
    )
    return Compliance(open_counts["open"], open_counts["overdue"], decisions["decided"], decisions["in_time"])


def _submitted(code: str = FIXED) -> tuple[User, Application]:
    owner = EnterpriseUserFactory()
    return owner, application_submit(actor=owner, application=complete_draft(owner, code), credit_commitment=True)


def _reviewed(handler: User, code: str = FIXED) -> Application:
    _owner, application = _submitted(code)
    application = review.application_accept(actor=handler, application=application)
    return review.application_start_review(actor=handler, application=application)


def _history(miit: User, amr: User, approver: User) -> None:
    """A department's year, through the services, on a moving clock."""
    review.application_propose(actor=miit, application=_reviewed(miit), support=True, reasons="ok")
    late = _reviewed(miit)
    with clock_moved(days=45):
        review.application_propose(actor=miit, application=late, support=True, reasons="late")
    with clock_moved(days=366):  # an application of next year, decided in time
        review.application_propose(actor=miit, application=_reviewed(miit), support=True, reasons="ok")
    late_no = _reviewed(miit)
    with clock_moved(days=40):
        late_no = review.application_propose(actor=miit, application=late_no, support=False, reasons="no")
        review.application_confirm_rejection(actor=approver, application=late_no)
    for days in (0, 50):
        _owner, recognition = _submitted(NON_MONETARY)
        recognition = review.application_accept(actor=miit, application=recognition)
        with clock_moved(days=days):
            review.application_handle(actor=miit, application=recognition, note="done")
    # Returned from review, supplemented, accepted again: a new review deadline, then late.
    owner, again = _submitted()
    again = review.application_accept(actor=miit, application=again)
    again = review.application_start_review(actor=miit, application=again)
    again = review.application_return(actor=miit, application=again, missing="the certificate")
    with clock_moved(days=10):
        again = application_supplement(actor=owner, application=again, note="added")
        again = review.application_accept(actor=miit, application=again)
        again = review.application_start_review(actor=miit, application=again)
    with clock_moved(days=70):
        review.application_propose(actor=miit, application=again, support=True, reasons="ok")
    # Proposed, sent back, proposed again late: two decisions.
    twice = review.application_propose(actor=miit, application=_reviewed(miit), support=True, reasons="ok")
    twice = review.application_send_back(actor=approver, application=twice, reason="check the amount")
    with clock_moved(days=35):
        review.application_propose(actor=miit, application=twice, support=True, reasons="checked")
    # Withdrawn under review: no decision.
    owner, withdrawn = _submitted()
    withdrawn = review.application_start_review(
        actor=miit, application=review.application_accept(actor=miit, application=withdrawn)
    )
    application_withdraw(actor=owner, application=withdrawn, reason="no longer needed")
    # The other department: one decision in time, one open.
    review.application_propose(actor=amr, application=_reviewed(amr, PER_UNIT), support=True, reasons="ok")
    _reviewed(amr, PER_UNIT)


def _figures(result: Any) -> tuple[int, int, int, int]:
    return (result.open, result.overdue, result.decided, result.decided_in_time)


def test_compliance_from_stage_records_equals_the_audit_based_computation() -> None:
    miit = official("award-handler", OfficialRole.HANDLER, "amr")
    amr = official("amr-handler", OfficialRole.HANDLER, "amr")
    approver = official("award-approver", OfficialRole.APPROVER, "amr")
    _history(miit, amr, approver)
    year = timezone.localdate().year
    scopes = [
        ReportScope("administrator"),
        ReportScope("department", miit.department_id, "amr"),
        ReportScope("department", amr.department_id, "amr"),
    ]
    seen = []
    for scope in scopes:
        for fiscal_year in (None, year, year + 1, year - 1):
            for today in (None, timezone.localdate() + timezone.timedelta(days=40)):
                new = time_limit_compliance(scope, fiscal_year, today=today)
                old = audit_based_compliance(scope, fiscal_year, today=today)
                assert _figures(new) == _figures(old), (scope, fiscal_year, today)
                seen.append(_figures(new))
    everything = time_limit_compliance(ReportScope("administrator"))
    # The history has what it should: ten decisions, five in time (one of them next year); open ones.
    assert (everything.decided, everything.decided_in_time) == (10, 5)
    assert everything.open > 0
    assert _figures(time_limit_compliance(ReportScope("administrator"), year + 1))[2:] == (1, 1)
    assert _figures(time_limit_compliance(ReportScope("administrator"), year - 1)) == (0, 0, 0, 0)
    assert len(set(seen)) > 3  # the scopes, years and days differ
    for model in TALLIES:  # the tallies, on a moving clock, equal a recount (days in the portal's zone)
        assert totals(model) == totals(model, recount(model)), model.__name__
