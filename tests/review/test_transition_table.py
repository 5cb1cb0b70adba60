"""The whole transition table, allowed and refused, for each role — driven by workflow.TRANSITIONS.

For every action and every status, each actor (the applicant, a handler and an approver of the
responsible department, a finance officer, the system) either moves the application to the
table's target, or is refused with TransitionNotAllowed (services) / 409 (API) and nothing changes:
no new status, no new version, no audit event. Each case runs in a savepoint that is rolled back.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import OfficialRole, User
from applications import review
from applications.models import Application, Status
from applications.permissions import FINANCE_STATUSES
from applications.services import application_submit, application_supplement, application_withdraw
from applications.workflow import BY_ACTION, TRANSITIONS, Role, Transition, TransitionNotAllowed, transition
from audit.models import AuditEvent
from tests.applications.helpers import FIXED, complete_draft
from tests.factories import EnterpriseUserFactory

from .conftest import NON_MONETARY, fund

pytestmark = pytest.mark.django_db

ACTORS = ("applicant", "handler", "approver", "finance", "system")
ROLE_OF = {
    "applicant": Role.APPLICANT,
    "handler": Role.HANDLER,
    "approver": Role.APPROVER,
    "finance": Role.FINANCE,
    "system": Role.SYSTEM,
}

Call = Callable[[User, Application], Any]

# The service behind each action; actions whose services come with later issues (announcement,
# payment) go through workflow.transition with the roles the permissions give the actor.
SERVICES: dict[str, Call] = {
    "submit": lambda u, a: application_submit(actor=u, application=a, credit_commitment=True),
    "withdraw": lambda u, a: application_withdraw(actor=u, application=a, reason="no longer needed"),
    "supplement": lambda u, a: application_supplement(actor=u, application=a, note="added the certificate"),
    "accept": lambda u, a: review.application_accept(actor=u, application=a),
    "return": lambda u, a: review.application_return(actor=u, application=a, missing="the award decision"),
    "refuse": lambda u, a: review.application_refuse(actor=u, application=a, reasons="not eligible"),
    "review": lambda u, a: review.application_start_review(actor=u, application=a),
    "handle": lambda u, a: review.application_handle(actor=u, application=a, note="done"),
    "propose": lambda u, a: review.application_propose(actor=u, application=a, support=True, reasons="meets it"),
    "reject": lambda u, a: review.application_propose(actor=u, application=a, support=False, reasons="no"),
    "approve": lambda u, a: review.application_approve(actor=u, application=a),
    "confirm_rejection": lambda u, a: review.application_confirm_rejection(actor=u, application=a),
    "send_back": lambda u, a: review.application_send_back(actor=u, application=a, reason="check the amount"),
}


def expected_allowed(rule: Transition, status: str, actor: str, pays_money: bool) -> bool:
    return (
        status in rule.sources
        and ROLE_OF[actor] in rule.roles
        and (rule.applies is None or rule.applies(SimpleNamespace(incentive=SimpleNamespace(pays_money=pays_money))))
    )


@pytest.fixture
def cast(make_official: Callable[..., User]) -> dict[str, Any]:
    owner = EnterpriseUserFactory()
    fund(FIXED)
    return {
        "applicant": owner,
        "handler": make_official(OfficialRole.HANDLER, "miit"),
        "approver": make_official(OfficialRole.APPROVER, "miit"),
        "finance": make_official(OfficialRole.FINANCE, "finance"),
        "system": None,
        "monetary": complete_draft(owner, FIXED),
        "non_monetary": complete_draft(owner, NON_MONETARY),
    }


def _put_in(application: Application, status: str) -> Application:
    """Puts the application in `status` directly (test set-up, not a transition)."""
    Application.objects.filter(pk=application.pk).update(
        status=status,
        version=1,
        reference=None if status == Status.DRAFT else f"QB-TEST-{application.pk:06d}",
        proposed_by=None,
        proposed_amount=Decimal("3000000.00"),  # what a proposal has by the time it is approved
        assigned_to=None,
        supplement_deadline=dt.date(2026, 1, 5) if status == Status.RETURNED else None,
    )
    return Application.objects.select_related("incentive").get(pk=application.pk)


def _run(action: str, actor: str, user: User | None, application: Application) -> bool:
    """Takes the action as the actor; True if it went through, False if refused."""
    if actor == "system":
        if action == "lapse":
            return review.applications_lapse_overdue(today=dt.date(2026, 12, 31)) == 1
        transition(application, action, actor=None)
        return True
    if action in SERVICES:
        SERVICES[action](user, application)
    else:
        transition(application, action, actor=user)
    return True


def _check_case(action: str, status: str, actor: str, user: User | None, application: Application) -> None:
    rule = BY_ACTION[action]
    with transaction.atomic():
        application = _put_in(application, status)
        events = AuditEvent.objects.count()
        events_seq = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        should = expected_allowed(rule, status, actor, application.incentive.pays_money)
        try:
            went = _run(action, actor, user, application)
        except TransitionNotAllowed:
            went = False
        after = Application.objects.get(pk=application.pk)
        case = f"{action} from {status} by {actor}"
        if should:
            assert went, f"{case}: refused, but the table allows it"
            assert after.status == rule.target, case
            assert after.version == 2, case
            recorded = AuditEvent.objects.filter(sequence__gt=events_seq, object_id=str(application.pk))
            assert [e.action for e in recorded if e.object_type == "applications.application"] == [
                f"application.{action}"
            ], case
        else:
            assert not went, f"{case}: went through, but the table refuses it"
            assert (after.status, after.version) == (status, 1), case
            assert AuditEvent.objects.count() == events, case
        transaction.set_rollback(True)


@pytest.mark.parametrize("action", [t.action for t in TRANSITIONS])
def test_every_status_and_actor_through_the_services(cast: dict[str, Any], action: str) -> None:
    for status in Status.values:
        for actor in ACTORS:
            _check_case(action, status, actor, cast[actor], cast["monetary"])


@pytest.mark.parametrize("action", ["accept", "review", "handle"])
def test_non_monetary_incentives_take_the_short_path(cast: dict[str, Any], action: str) -> None:
    """A recognition is handled after acceptance; it is never reviewed for an amount."""
    for status in Status.values:
        for actor in ACTORS:
            _check_case(action, status, actor, cast[actor], cast["non_monetary"])


def test_the_short_and_the_long_path_differ_where_the_table_says() -> None:
    paying, not_paying = (SimpleNamespace(incentive=SimpleNamespace(pays_money=m)) for m in (True, False))
    assert BY_ACTION["review"].applies(paying) and not BY_ACTION["review"].applies(not_paying)
    assert BY_ACTION["handle"].applies(not_paying) and not BY_ACTION["handle"].applies(paying)


# ── the same through the API: 200, or 409 and nothing changed; 404 where the caller sees nothing ──

# API name → (workflow actions, body); the API's approve is the sign-off of either proposal.
API_ACTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "accept": (("accept",), {}),
    "return": (("return",), {"missing": "the award decision"}),
    "reject": (("refuse",), {"reasons": "not eligible"}),
    "review": (("review",), {}),
    "handle": (("handle",), {"note": "done"}),
    "propose": (("propose",), {"decision": "support", "reasons": "meets the criteria"}),
    "propose-not": (("reject",), {"decision": "not_support", "reasons": "the certificate is not valid"}),
    "approve": (("approve", "confirm_rejection"), {}),
    "send-back": (("send_back",), {"reason": "check the amount"}),
}


def _visible(actor: str, status: str) -> bool:
    if status == Status.DRAFT:
        return False
    if actor == "finance":
        return status in FINANCE_STATUSES
    return True


@pytest.mark.parametrize("api_name", list(API_ACTIONS))
def test_every_status_and_actor_through_the_api(cast: dict[str, Any], api_name: str) -> None:
    actions, body = API_ACTIONS[api_name]
    path_name = "propose" if api_name == "propose-not" else api_name
    clients = {}
    for actor in ("applicant", "handler", "approver", "finance"):
        clients[actor] = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        clients[actor].force_authenticate(cast[actor])
    for status in Status.values:
        rule = next((BY_ACTION[a] for a in actions if status in BY_ACTION[a].sources), BY_ACTION[actions[0]])
        for actor, client in clients.items():
            with transaction.atomic():
                application = _put_in(cast["monetary"], status)
                events = AuditEvent.objects.count()
                url = f"/api/v1/applications/{application.reference or application.pk}/{path_name}/"
                response = client.post(url, {**body, "version": 1}, format="json")
                after = Application.objects.get(pk=application.pk)
                case = f"{api_name} from {status} by {actor}"
                if not _visible(actor, status):
                    assert response.status_code == 404, (case, response.json())
                elif expected_allowed(rule, status, actor, True):
                    assert response.status_code == 200, (case, response.json())
                    assert response.json()["status"] == rule.target
                    assert after.status == rule.target, case
                else:
                    assert response.status_code == 409, (case, response.json())
                    assert response.json()["code"] == "not_allowed", case
                    assert response.json()["detail"], case
                if response.status_code != 200:
                    assert (after.status, after.version) == (status, 1), case
                    assert AuditEvent.objects.count() == events, case
                transaction.set_rollback(True)
