"""Approval commits the amount against the budget; beyond what is left it is refused with the
remaining figure and nothing changes (service, page and API); releasing gives it back."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from applications.models import Status
from applications.review import BudgetRefused, application_approve
from applications.services import application_withdraw
from applications.workflow import TransitionNotAllowed
from audit.models import AuditEvent
from awards.models import Award
from budgets.models import Budget
from tests.support.announcements import (
    approve_through_services,
    proposed_through_services,
    refreshed,
    set_budget,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _budget() -> Budget:
    return Budget.objects.get()


def test_approval_commits_the_proposed_amount_against_the_budget(handler, approver) -> None:
    set_budget("5000000")
    approved = approve_through_services(handler, approver)

    assert approved.status == Status.APPROVED
    award = Award.objects.get(application=approved)
    assert award.amount == Decimal("3000000.00")
    assert award.status == Award.Status.COMMITTED
    budget = _budget()
    assert (budget.committed, budget.paid, budget.remaining) == (
        Decimal("3000000.00"),
        Decimal("0.00"),
        Decimal("2000000.00"),
    )
    commit = AuditEvent.objects.get(action="budget.commit")
    assert commit.actor == approver
    assert commit.after["application"] == approved.reference


def test_approval_beyond_the_budget_is_refused_with_the_remaining_figure_and_nothing_changes(handler, approver) -> None:
    set_budget("4000000")
    approve_through_services(handler, approver)
    second = proposed_through_services(handler)
    version = second.version
    events = AuditEvent.objects.count()

    with pytest.raises(BudgetRefused) as refused:
        application_approve(actor=approver, application=second)

    assert refused.value.remaining == Decimal("1000000.00")
    assert refused.value.code == "budget_exceeded"
    assert "1,000,000.00" in refused.value.message
    again = refreshed(second)
    assert (again.status, again.version, again.decided_by_id) == (Status.PROPOSED, version, None)
    assert not Award.objects.filter(application=second).exists()
    assert _budget().committed == Decimal("3000000.00")
    assert AuditEvent.objects.count() == events  # the approval's events rolled back with it


def test_approval_without_a_budget_is_refused(handler, approver) -> None:
    proposal = proposed_through_services(handler)
    with pytest.raises(BudgetRefused) as refused:
        application_approve(actor=approver, application=proposal)
    assert refused.value.code == "budget_not_set"
    assert refused.value.remaining is None
    assert refreshed(proposal).status == Status.PROPOSED


def test_the_api_answers_400_budget_exceeded_with_the_remaining_figure(handler, approver) -> None:
    set_budget("2500000")
    proposal = proposed_through_services(handler)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(approver)

    response = client.post(f"/api/v1/applications/{proposal.reference}/approve/", {}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "budget_exceeded"
    assert "2,500,000.00" in body["detail"]
    assert refreshed(proposal).status == Status.PROPOSED
    assert _budget().committed == Decimal("0.00")


def test_the_page_shows_the_remaining_figure_and_keeps_the_application(handler, approver) -> None:
    set_budget("1200000")
    proposal = proposed_through_services(handler)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(approver)

    response = client.post(f"/review/{proposal.reference}/actions/approve/", {"approve-version": proposal.version})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Not enough budget left" in html
    assert "There is a problem" not in html  # not a mistake in the form
    assert "1,200,000.00" in html
    assert refreshed(proposal).status == Status.PROPOSED


def test_an_approved_application_cannot_be_withdrawn_so_its_budget_stays_committed(handler, approver) -> None:
    """The workflow lets the applicant withdraw only before the decision; after approval the amount
    is released by an upheld objection (tests/announcements/test_announcements.py)."""
    set_budget("3000000")
    approved = approve_through_services(handler, approver)
    owner = approved.applicant.users.first()
    with pytest.raises(TransitionNotAllowed):
        application_withdraw(actor=owner, application=approved)
    assert _budget().committed == Decimal("3000000.00")
    assert Award.objects.get(application=approved).status == Award.Status.COMMITTED
