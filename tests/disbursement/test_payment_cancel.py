"""A failed payment: retried in a new batch, or cancelled by finance (the award ends, its amount goes
back to the budget, its claim's keys are freed, the applicant is told) — on the page and the API."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Notification
from applications.models import Application, ClaimKey, Status
from audit.models import AuditEvent
from awards.models import Award
from budgets.models import Budget
from disbursement.models import Payment
from disbursement.results import BankResult, payment_result_record
from disbursement.services import DisbursementError, NothingToPay, WrongState, batch_build, payment_cancel
from tests.support.disbursement import approved_batch, final_award, finance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def failed_payments(officer, second, *amounts: str) -> list[Payment]:
    """Final awards (each with a funded claim key) in one approved batch, the bank's result: failed."""
    awards = [final_award(amount) for amount in amounts or ("3000000",)]
    for award in awards:
        ClaimKey.objects.create(
            application=award.application, incentive=award.application.incentive, key=f"ZGZLJ-{award.pk}", funded=True
        )
    batch = approved_batch(officer, second)
    payments = [batch.payments.get(award=award) for award in awards]
    for payment in payments:
        payment_result_record(
            actor=officer, payment_id=payment.pk, result=BankResult(status="failed", failure_reason="账户已销户")
        )
    return [Payment.objects.select_related("award__application", "batch").get(pk=p.pk) for p in payments]


def test_a_cancelled_failed_payment_ends_the_award_and_releases_its_budget(django_capture_on_commit_callbacks):
    officer, second = finance("finance-1"), finance("finance-2")
    [payment] = failed_payments(officer, second)
    application = payment.award.application
    budget = Budget.objects.get()
    assert (budget.committed, budget.paid) == (Decimal("3000000.00"), Decimal("0.00"))
    with pytest.raises(DisbursementError) as no_reason:
        payment_cancel(actor=officer, payment=payment, reason="  ")
    assert no_reason.value.field == "reason"

    with django_capture_on_commit_callbacks(execute=True):
        payment_cancel(actor=officer, payment=payment, reason="收款单位已注销")

    award = Award.objects.get(pk=payment.award_id)
    assert award.status == Award.Status.CANCELLED
    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (Decimal("0.00"), Decimal("0.00"))
    assert Application.objects.get(pk=application.pk).status == Status.PAYMENT_CANCELLED
    assert not ClaimKey.objects.filter(application=application, funded=True).exists()  # may be claimed again
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.FAILED  # the bank's result stands
    for action in ("award.cancel", "budget.release", "application.payment_cancel"):
        assert AuditEvent.objects.filter(action=action).count() == 1, action
    event = AuditEvent.objects.get(action="application.payment_cancel")
    assert event.reason == "收款单位已注销" and event.after["payment_reference"] == payment.reference
    note = Notification.objects.filter(user__applicant=application.applicant).order_by("-pk").first()
    assert "cancelled" in note.subject and "收款单位已注销" in note.body
    with pytest.raises(NothingToPay):  # never in a batch again
        batch_build(actor=officer)
    with pytest.raises(WrongState):  # and not twice
        payment_cancel(actor=second, payment=payment, reason="again")


def test_a_retried_paid_or_pending_payment_cannot_be_cancelled():
    officer, second = finance("finance-1"), finance("finance-2")
    [payment] = failed_payments(officer, second)
    retry = batch_build(actor=second).batch  # the failed award is in a new batch the same day
    assert list(retry.payments.values_list("award_id", flat=True)) == [payment.award_id]
    with pytest.raises(WrongState, match="being retried"):
        payment_cancel(actor=officer, payment=payment, reason="x")
    with pytest.raises(WrongState, match="only a failed payment"):
        payment_cancel(actor=officer, payment=retry.payments.get(), reason="x")
    with pytest.raises(DisbursementError):  # finance only
        from tests.factories import OfficialFactory

        payment_cancel(actor=OfficialFactory(role="approver"), payment=payment, reason="x")
    assert Award.objects.get(pk=payment.award_id).status == Award.Status.FINAL
    assert Budget.objects.get().committed == Decimal("3000000.00")


def test_the_batch_page_offers_retry_or_cancel_and_the_api_cancels():
    officer, second = finance("finance-1"), finance("finance-2")
    payment, other = failed_payments(officer, second, "3000000", "1000000")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(officer)
    page = client.get(f"/finance/batches/{payment.batch_id}/").content.decode()
    cancel_url = f"/finance/batches/{payment.batch_id}/payments/{payment.reference}/cancel/"
    assert f'action="{cancel_url}"' in page
    assert "build a new batch" in page and "Or cancel it" in page

    done = client.post(cancel_url, {"reason": "账户已注销"}, follow=True)
    assert "is cancelled" in done.content.decode()
    assert "Cancelled: the award ended" in done.content.decode()
    assert Application.objects.get(pk=payment.award.application_id).status == Status.PAYMENT_CANCELLED

    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(second)
    url = f"/api/v1/disbursements/{other.batch_id}/payments/{other.reference}/cancel/"
    assert api.post(url, {}, format="json").status_code == 400
    response = api.post(url, {"reason": "收款人放弃"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "failed"
    assert Award.objects.get(pk=other.award_id).status == Award.Status.CANCELLED
    again = api.post(url, {"reason": "x"}, format="json")
    assert again.status_code == 409
    assert api.post(f"/api/v1/disbursements/{other.batch_id}/payments/NOPE/cancel/", {"reason": "x"}).status_code == 404
    stranger = APIClient()
    stranger.force_authenticate(payment.award.application.created_by)
    assert stranger.post(url, {"reason": "x"}, format="json").status_code == 403
    assert Budget.objects.get().committed == Decimal("0.00")
