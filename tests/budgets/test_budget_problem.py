"""A missing budget refuses an approval: the page says what it is (not a form error), that nothing
changed, and who can fix it — a link to the year's budgets for finance, "ask finance" for others.
And the demo: after `demo_data` its own approvals go through."""

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone, translation

from accounts.models import User
from applications.models import Application, Status
from applications.review import BudgetRefused, application_approve
from applications.review_views import _budget_problem
from budgets.models import Budget
from demo.budgets import ensure_demo_budgets
from tests.support.announcements import proposed_through_services, refreshed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_page_explains_a_missing_budget_and_tells_an_approver_to_ask_finance(handler, approver) -> None:
    proposal = proposed_through_services(handler)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(approver)

    response = client.post(f"/review/{proposal.reference}/actions/approve/", {"approve-version": proposal.version})

    assert response.status_code == 400
    html = response.content.decode()
    year = proposal.fiscal_year
    assert f"No budget for {year} yet" in html
    assert "There is a problem" not in html
    assert "Ask the finance department to set this incentive’s" in html
    assert "/finance/budgets/" not in html  # an approver cannot set budgets: no link
    assert refreshed(proposal).status == Status.PROPOSED


def test_finance_gets_a_link_to_the_years_budgets(handler, approver, finance_officer) -> None:
    proposal = proposed_through_services(handler)
    with pytest.raises(BudgetRefused) as refused:
        application_approve(actor=approver, application=proposal)
    request = RequestFactory().post("/")
    request.user = finance_officer

    problem = _budget_problem(request, proposal, refused.value)
    html = render_to_string("review/_budget_problem.html", {"budget_problem": problem})

    assert problem["not_set"] is True
    assert f'href="/finance/budgets/?year={proposal.fiscal_year}"' in html
    assert "Ask the finance department" not in html


def test_the_page_in_chinese_does_not_call_a_missing_budget_a_form_error(handler, approver) -> None:
    proposal = proposed_through_services(handler)
    client = Client()
    client.force_login(approver)
    with translation.override("zh-hans"):
        response = client.post(f"/review/{proposal.reference}/actions/approve/", {"approve-version": proposal.version})
    html = response.content.decode()
    assert response.status_code == 400
    assert "填写内容有误" not in html
    assert f"该支持事项 {proposal.fiscal_year} 年度尚未设置预算" in html


def test_the_demos_budgets_are_set_once_for_this_year() -> None:
    call_command("demo_data", "--json", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    year = timezone.localdate().year
    quality_award = Budget.objects.get(incentive__code="m17-china-quality-award-ind", fiscal_year=year)
    assert quality_award.allocation > 0
    count = Budget.objects.count()
    assert {b.pk for b in ensure_demo_budgets()} <= set(Budget.objects.values_list("pk", flat=True))
    assert Budget.objects.count() == count  # nothing added the second time


def test_the_demos_own_approval_goes_through_after_demo_data() -> None:
    call_command("demo_data", "--json", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    # The demo's own proposal (not the one measure 17's round leaves for the approver).
    proposal = Application.objects.get(status=Status.PROPOSED, fiscal_year=timezone.localdate().year, call=None)
    approver = User.objects.get(
        username=f"demo-approver-{proposal.incentive.handling_department.code}",
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(approver)

    response = client.post(f"/review/{proposal.reference}/actions/approve/", {"approve-version": proposal.version})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert refreshed(proposal).status == Status.APPROVED
