"""Stage records (applications.StageRecord): the workflow writes one each time an application
leaves a timed state, and none on any other move — driven by the transition table, for every
action and every state it leaves from — with the stage's time limit as it was before the move's
own changes, its duration, and the incentive's department and year. The migration's backfill
finds the same records in the audit trail."""

import datetime as dt
import importlib
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import OfficialRole, User
from applications import review
from applications.models import Application, StageRecord, Status
from applications.services import application_supplement, application_withdraw
from applications.states import CITY_STATUSES, TIMED_STATES
from applications.workflow import TRANSITIONS, Role, Transition, transition
from calls.models import Call
from measures.models import Incentive
from measures.vocabulary import GuangdongCity
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import EnterpriseUserFactory
from tests.support.city import city_official, draft_for, enterprise_in, open_call
from tests.support.clock import clock_moved

from .conftest import NON_MONETARY, fund, submit_new

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 12, 31)


@pytest.fixture
def cast(make_official: Any) -> dict[str, Any]:
    owner = EnterpriseUserFactory()
    city_owner = enterprise_in(GuangdongCity.FOSHAN)
    fund(FIXED)
    return {
        Role.APPLICANT: owner,
        Role.HANDLER: make_official(OfficialRole.HANDLER, "amr"),
        Role.APPROVER: make_official(OfficialRole.APPROVER, "amr"),
        Role.FINANCE: make_official(OfficialRole.FINANCE, "finance"),
        Role.SYSTEM: None,
        "monetary": complete_draft(owner, FIXED),
        "non_monetary": complete_draft(owner, NON_MONETARY),
        Role.CITY_HANDLER: city_official(OfficialRole.CITY_HANDLER, GuangdongCity.FOSHAN),
        Role.CITY_APPROVER: city_official(OfficialRole.CITY_APPROVER, GuangdongCity.FOSHAN),
        # Reviewed by the Foshan bureau first (地市初审推荐); its own enterprise applies.
        "city_first": draft_for(city_owner, open_call(Call.ReviewPath.CITY_FIRST)),
        "city_owner": city_owner,
    }


def _walks_the_city(rule: Transition[Application]) -> bool:
    return bool(rule.roles & {Role.CITY_HANDLER, Role.CITY_APPROVER} or rule.sources & set(CITY_STATUSES))


def _put_in(application: Application, status: str, due: dt.date | None, recommended: bool = True) -> Application:
    """Test set-up, not a transition: the application in `status` since a known time."""
    Application.objects.filter(pk=application.pk).update(
        city_recommended=recommended if status == Status.CITY_PROPOSED else None,
        city_proposed_by=None,
        status=status,
        reference=None if status == Status.DRAFT else f"QB-TEST-{application.pk:06d}",
        stage_due_on=due,
        status_changed_at=timezone.now() - dt.timedelta(days=3),
        proposed_by=None,
        assigned_to=None,
    )
    return Application.objects.select_related("incentive", "call").get(pk=application.pk)


def _move(rule: Transition[Application], status: str, cast: dict[str, Any], due: dt.date | None) -> list[StageRecord]:
    """Takes `rule` from `status` through the workflow (rolled back); the records it wrote."""
    city = _walks_the_city(rule) or rule.target in CITY_STATUSES
    if (city and status != Status.DRAFT) or rule.action == "submit_to_city":
        application = cast["city_first"]
    elif rule.applies is None or rule.applies(cast["monetary"]):
        application = cast["monetary"]
    else:
        application = cast["non_monetary"]
    with transaction.atomic():
        application = _put_in(application, status, due, recommended=rule.action != "confirm_not_recommended")
        before = set(StageRecord.objects.values_list("pk", flat=True))
        role = sorted(rule.roles)[0]
        actor = cast["city_owner"] if role == Role.APPLICANT and application == cast["city_first"] else cast[role]
        moved = transition(application, rule.action, actor=actor)
        assert moved.status == rule.target
        assert moved.status_changed_at is not None and moved.status_changed_at > timezone.now() - dt.timedelta(
            minutes=1
        )
        written = list(StageRecord.objects.exclude(pk__in=before))
        transaction.set_rollback(True)
    return written


@pytest.mark.parametrize("rule", TRANSITIONS, ids=[t.action for t in TRANSITIONS])
def test_leaving_a_timed_state_writes_one_record_and_no_other_move_writes_any(
    cast: dict[str, Any], rule: Transition[Application]
) -> None:
    for status in sorted(rule.sources):
        written = _move(rule, status, cast, DUE)
        if status not in TIMED_STATES:
            assert written == [], f"{rule.action} from {status}"
            continue
        [record] = written
        application = record.application
        assert (record.status, record.action) == (status, rule.action)
        assert record.due_on == DUE and record.in_time is True  # the limit before the move's changes
        assert 3 * 86400 - 60 < record.seconds < 3 * 86400 + 60  # in the state for three days
        assert (record.fiscal_year, record.incentive_id) == (application.fiscal_year, application.incentive_id)
        assert record.department_id == Incentive.objects.get(pk=application.incentive_id).handling_department_id


def test_a_stage_left_after_its_due_date_is_late_and_one_without_a_limit_is_neither(cast: dict[str, Any]) -> None:
    accept = next(t for t in TRANSITIONS if t.action == "accept")
    [late] = _move(accept, Status.SUBMITTED, cast, timezone.localdate() - dt.timedelta(days=1))
    [on_the_day] = _move(accept, Status.SUBMITTED, cast, timezone.localdate())
    [untimed] = _move(accept, Status.SUBMITTED, cast, None)
    assert (late.in_time, on_the_day.in_time, untimed.in_time) == (False, True, None)
    assert untimed.due_on is None


def test_a_review_through_the_services_leaves_its_stages_on_record(handler: User, approver: User) -> None:
    """submit → return → supplement → accept → review → propose → send back → propose → approve,
    days apart: each timed state left is one record, with the limit that ran and its duration."""
    fund(FIXED)
    owner = EnterpriseUserFactory()
    application = submit_new(owner)
    acceptance_due = application.stage_due_on
    with clock_moved(days=1):
        application = review.application_return(actor=handler, application=application, missing="the certificate")
    supplement_due = application.stage_due_on
    with clock_moved(days=3):
        application = application_supplement(actor=owner, application=application, note="added it")
    acceptance_due_again = application.stage_due_on  # counted afresh from the supplement
    with clock_moved(days=4):
        application = review.application_accept(actor=handler, application=application)
    review_due = application.stage_due_on
    with clock_moved(days=5):
        application = review.application_start_review(actor=handler, application=application)
    with clock_moved(days=7):
        application = review.application_propose(actor=handler, application=application, support=True, reasons="ok")
    with clock_moved(days=8):
        application = review.application_send_back(actor=approver, application=application, reason="check")
    with clock_moved(days=60):  # long after the review deadline
        application = review.application_propose(actor=handler, application=application, support=True, reasons="ok")
    with clock_moved(days=61):
        application = review.application_approve(actor=approver, application=application)
    rows = list(
        StageRecord.objects.filter(application=application)
        .order_by("left_at")
        .values_list("status", "action", "due_on", "in_time", "seconds")
    )
    day = 86400
    assert [(s, a, d, t) for s, a, d, t, _n in rows] == [
        (Status.SUBMITTED, "return", acceptance_due, True),
        (Status.RETURNED, "supplement", supplement_due, True),
        (Status.SUBMITTED, "accept", acceptance_due_again, True),
        (Status.ACCEPTED, "review", review_due, True),
        (Status.UNDER_REVIEW, "propose", review_due, True),
        (Status.PROPOSED, "send_back", review_due, True),
        (Status.UNDER_REVIEW, "propose", review_due, False),
        (Status.PROPOSED, "approve", review_due, False),
    ]
    assert [round(n / day) for *_rest, n in rows] == [1, 2, 1, 1, 2, 1, 52, 1]
    assert Application.objects.get(pk=application.pk).stage_due_on is None  # approval cleared it; the record kept it


def test_withdrawing_ends_the_stage_too(handler: User) -> None:
    owner = EnterpriseUserFactory()
    application = review.application_accept(actor=handler, application=submit_new(owner))
    application_withdraw(actor=owner, application=application, reason="no longer needed")
    assert list(StageRecord.objects.filter(application=application).values_list("status", "action")) == [
        (Status.SUBMITTED, "accept"),
        (Status.ACCEPTED, "withdraw"),
    ]


def test_the_migrations_backfill_finds_the_same_records_in_the_audit_trail(handler: User, approver: User) -> None:
    """The records the workflow wrote, deleted, then rebuilt by migration 0010's backfill from the
    audit events: the same stages, limits and outcomes; times within the same second."""
    fund(FIXED)
    owner = EnterpriseUserFactory()
    late = submit_new(owner)
    with clock_moved(days=2):
        late = review.application_accept(actor=handler, application=late)
        late = review.application_start_review(actor=handler, application=late)
    with clock_moved(days=50):
        late = review.application_propose(actor=handler, application=late, support=False, reasons="no")
        review.application_confirm_rejection(actor=approver, application=late)
    returned = review.application_return(actor=handler, application=submit_new(), missing="x")
    review.applications_lapse_overdue(today=returned.stage_due_on + dt.timedelta(days=1))
    handled = review.application_accept(actor=handler, application=submit_new(code=NON_MONETARY))
    review.application_handle(actor=handler, application=handled, note="done")
    Application.objects.filter(pk=late.pk).update(status_changed_at=None)

    def records() -> list[tuple[Any, ...]]:
        return sorted(
            (r.application_id, r.status, r.action, r.due_on, r.in_time, r.fiscal_year, r.incentive_id,
             r.department_id, r.entered_at.replace(microsecond=0), r.left_at.replace(microsecond=0))
            for r in StageRecord.objects.all()
        )  # fmt: skip

    written = records()
    assert sorted((r[1], r[2]) for r in written) == sorted(
        [
            (Status.SUBMITTED, "accept"),
            (Status.ACCEPTED, "review"),
            (Status.UNDER_REVIEW, "reject"),
            (Status.REJECTION_PROPOSED, "confirm_rejection"),
            (Status.SUBMITTED, "return"),
            (Status.RETURNED, "lapse"),
            (Status.SUBMITTED, "accept"),
            (Status.ACCEPTED, "handle"),
        ]
    )
    StageRecord.objects.all().delete()
    migration = importlib.import_module("applications.migrations.0010_stage_records_backfill")
    migration.backfill(apps, None)
    rebuilt = records()
    # The audit event is stamped a moment after the workflow's clock: compare to the second,
    # allowing one second of difference.
    assert [r[:8] for r in rebuilt] == [r[:8] for r in written]
    for new, old in zip(rebuilt, written, strict=True):
        assert abs((new[8] - old[8]).total_seconds()) <= 1 and abs((new[9] - old[9]).total_seconds()) <= 1
    out = StringIO()  # run again (after an interruption, or by the command): the same records, not twice
    call_command("backfill_stage_records", stdout=out)
    assert records() == rebuilt and out.getvalue().strip() == "8 stage records"
