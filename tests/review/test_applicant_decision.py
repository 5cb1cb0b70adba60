"""The applicant's application page after the decision: the amount decided beside the estimate,
why it changed, the reasons, and each stage's outcome; lists of answers as tables."""

import re
from decimal import Decimal

import pytest

from applications import review
from tests.applications.helpers import PER_UNIT, complete_draft
from tests.factories import EnterpriseUserFactory

from .conftest import fund, submit_new

pytestmark = pytest.mark.django_db


def _stages(html: str) -> list[tuple[str, str]]:
    table = html.split('class="table app-stages"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="Stage">([^<]+)</td><td data-label="Outcome">([^<]+)</td>', table)


def test_the_applicant_sees_the_decided_amount_the_reason_and_each_stage(handler, approver, page_client) -> None:
    fund()
    user = EnterpriseUserFactory()
    application = submit_new(user)
    assert application.estimated_amount == Decimal("3000000.00")
    before = page_client(user).get(f"/applications/{application.reference}/").content.decode()
    assert "Amount decided" not in before
    accepted = review.application_accept(actor=handler, application=application)
    reviewed = review.application_start_review(actor=handler, application=accepted)
    proposed = review.application_propose(
        actor=handler,
        application=reviewed,
        support=True,
        reasons="符合第17条。",
        amount=Decimal("1500000"),
        override_reason="部分获奖成果已由其他资金支持。",
    )
    review.application_approve(actor=approver, application=proposed)
    html = page_client(user).get(f"/applications/{application.reference}/").content.decode()
    decision = html.split('id="decision-heading"', 1)[1].split("</section>", 1)[0]
    assert '<strong class="app-decided-amount">1,500,000.00</strong>' in decision
    assert "3,000,000.00" in decision  # the estimate beside it
    assert "部分获奖成果已由其他资金支持。" in decision and "符合第17条。" in decision
    stages = _stages(html)
    assert ("Submission", "Submitted") in stages
    assert ("Acceptance", "Accepted") in stages
    assert ("Decision", "Approved") in stages
    assert [s for s, _o in stages].index("Acceptance") < [s for s, _o in stages].index("Decision")


def test_an_unchanged_amount_has_no_change_reason_and_a_rejection_shows_its_reasons(
    handler, approver, page_client
) -> None:
    fund()
    user = EnterpriseUserFactory()
    application = submit_new(user)
    accepted = review.application_accept(actor=handler, application=application)
    reviewed = review.application_start_review(actor=handler, application=accepted)
    proposed = review.application_propose(actor=handler, application=reviewed, support=False, reasons="证书已过期。")
    review.application_confirm_rejection(actor=approver, application=proposed)
    html = page_client(user).get(f"/applications/{application.reference}/").content.decode()
    decision = html.split('id="decision-heading"', 1)[1].split("</section>", 1)[0]
    assert "Not supported" in decision and "证书已过期。" in decision and "Amount decided" not in decision
    assert ("Decision", "Not supported") in _stages(html)


def test_lists_of_answers_are_tables_on_the_check_and_review_pages(amr_handler, page_client) -> None:
    from applications.services import application_submit

    user = EnterpriseUserFactory()
    draft = complete_draft(user, PER_UNIT)  # measure 15: one row per international standard
    check = page_client(user).get(f"/applications/{draft.pk}/check/").content.decode()
    table = check.split('class="table app-answer-rows"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">Standard number</th>' in table and table.count("<tr>") == 3  # header + 2 rows
    assert "Standard number:" not in check
    submitted = application_submit(actor=user, application=draft, credit_commitment=True)
    html = page_client(amr_handler).get(f"/review/{submitted.reference}/").content.decode()
    table = html.split('class="table app-answer-rows"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">Standard number</th>' in table and "Standard number:" not in html
