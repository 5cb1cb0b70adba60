"""Money in the open, in headless Chromium: an announcement is published, an objection lodged and
dismissed, the award finalised, a batch built, approved, exported, the bank's results imported,
the ledger downloaded and the dashboard shown."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.models import OfficialRole, User
from accounts.two_factor import second_factor_required
from announcements.models import Announcement, Objection
from announcements.services import awards_finalise_due
from applications import review
from applications.models import Application, Status
from applications.services import application_submit
from awards.models import Award
from budgets.models import Budget
from budgets.services import budget_set
from disbursement.models import Payment
from tests.factories import PASSWORD, BankAccountFactory, EnterpriseUserFactory, OfficialFactory, incentive_by_code
from tests.support.auth import authenticator, fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "claim": {"summary": "获中国质量奖", "certificate_number": "CQA-2025-0001", "award_date": "2025-09-15"},
    "contact": {"contact_name": "陈经理", "contact_phone": "0755-88886666"},
}


def sign_in(page, live_server, user: User) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if second_factor_required(user):
        # The second step: the code the official's authenticator app shows.
        assert "/accounts/security/code/" in page.url
        page.fill("input[name=code]", fresh_code(user))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        assert "/accounts/security/" not in page.url


def approved_award(handler: User, approver: User, finance: User) -> Application:
    incentive = incentive_by_code()
    incentive.required_documents.update(is_mandatory=False)
    user = EnterpriseUserFactory(applicant__name="广东公示拨付示范有限公司")
    BankAccountFactory(applicant=user.applicant, account_name=user.applicant.name)
    year = dt.date.today().year
    budget_set(actor=finance, incentive=incentive, fiscal_year=year, allocation=Decimal("10000000"))
    draft = Application.objects.create(
        applicant=user.applicant, incentive=incentive, fiscal_year=year, data=ANSWERS, created_by=user
    )
    application = application_submit(actor=user, application=draft, credit_commitment=True)
    application = review.application_accept(actor=handler, application=application)
    application = review.application_start_review(actor=handler, application=application)
    application = review.application_propose(actor=handler, application=application, support=True, reasons="符合")
    return review.application_approve(actor=approver, application=application)


def test_announce_object_finalise_pay_and_report(live_server, page, tmp_path: Path) -> None:
    handler = OfficialFactory(role=OfficialRole.HANDLER, department="amr", username="j-handler")
    approver = OfficialFactory(role=OfficialRole.APPROVER, department="amr", username="j-approver")
    finance = OfficialFactory(role=OfficialRole.FINANCE, username="j-finance")
    finance2 = OfficialFactory(role=OfficialRole.FINANCE, username="j-finance2")
    for official in (approver, finance, finance2):
        authenticator(official)  # set up earlier, on the security page
    application = approved_award(handler, approver, finance)

    # The handler publishes the approved decision.
    sign_in(page, live_server, handler)
    page.goto(live_server.url + "/announcements/new/")
    page.fill("input[name=title]", "2026年度中国质量奖资助拟支持名单公示")
    page.check(f"input[name=applications][value='{application.reference}']")
    page.locator("main form button[type=submit].button:not(.button-secondary)").last.click()
    page.wait_for_load_state()
    announcement = Announcement.objects.get()
    assert "广东公示拨付示范有限公司" in page.content()
    assert Application.objects.get(pk=application.pk).status == Status.ANNOUNCED

    # Anyone lodges an objection, and gets a tracking number.
    page.context.clear_cookies()
    page.goto(live_server.url + f"/announcements/{announcement.pk}/")
    page.fill("input[name=name]", "李先生")
    page.fill("input[name=contact]", "13900000000")
    page.fill("textarea[name=reason]", "请核实获奖证书。")
    page.get_by_role("button", name="提交异议").or_(page.get_by_role("button", name="Send the objection")).click()
    page.wait_for_load_state()
    objection = Objection.objects.get()
    assert objection.tracking_number in page.content()

    # The approver dismisses it with a reason.
    sign_in(page, live_server, approver)
    page.goto(live_server.url + f"/announcements/{announcement.pk}/objections/")
    prefix = f"objection-{objection.pk}"
    page.check(f"input[name='{prefix}-decision'][value=dismissed]")
    page.fill(f"textarea[name='{prefix}-resolution']", "经核实，证书真实有效。")
    page.locator(f"#objection-{objection.pk} form button[type=submit]").click()
    page.wait_for_load_state()
    assert Objection.objects.get().status == Objection.Status.DISMISSED

    # The period ends (time frozen at its last day + 1): the beat's function makes it final.
    assert awards_finalise_due(today=announcement.ends_on + dt.timedelta(days=1)) == [application.reference]
    assert Award.objects.get().status == Award.Status.FINAL

    # Finance builds a batch; a second officer approves it and downloads the payment file.
    sign_in(page, live_server, finance)
    page.goto(live_server.url + "/finance/batches/new/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.locator("main form button[type=submit].button:not(.button-secondary)").last.click()
    page.wait_for_load_state()
    payment = Payment.objects.get()
    batch = payment.batch
    sign_in(page, live_server, finance2)
    page.goto(live_server.url + f"/finance/batches/{batch.pk}/")
    page.locator("main form button[type=submit].button").first.click()
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.locator(f"a[href='/finance/batches/{batch.pk}/payment-file/csv/']").click()
    payment_file = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert payment.reference in payment_file and "3000000.00" in payment_file.replace(",", "")

    # The bank's results come back: checked first, then recorded.
    results = tmp_path / "bank-results.csv"
    results.write_text(
        "payment_reference,status,paid_date,bank_reference,failure_reason\n"
        f"{payment.reference},paid,{dt.date.today().isoformat()},ICBC-0001,\n",
        encoding="utf-8",
    )
    page.goto(live_server.url + f"/finance/batches/{batch.pk}/results/")
    page.set_input_files("input[type=file]", str(results))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert Payment.objects.get().status == Payment.Status.PENDING  # a dry run changes nothing
    page.locator("main form button[type=submit].button").last.click()
    page.wait_for_load_state()
    assert Payment.objects.get().status == Payment.Status.PAID
    assert Application.objects.get(pk=application.pk).status == Status.PAID
    budget = Budget.objects.get()
    assert (budget.committed, budget.paid) == (Decimal("0.00"), Decimal("3000000.00"))

    # The ledger downloads with the payment; the dashboard draws its charts.
    page.goto(live_server.url + "/reports/")
    with page.expect_download() as ledger:
        # As a link on the page would: a download, not a navigation.
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; document.body.append(a); a.click(); }",
            "/reports/download/ledger/?format=csv",
        )
    assert payment.reference in Path(ledger.value.path()).read_text(encoding="utf-8-sig")
    page.goto(live_server.url + "/reports/dashboard/")
    assert page.locator("svg").count() >= 1
    assert "3,000,000" in page.content()
