"""Arrange steps for the recovery tests: awards paid through the disbursement services (a batch
built, approved by a second finance officer, the bank's result recorded)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from applications.models import Application
from awards.models import Award
from disbursement.models import Payment
from disbursement.results import BankResult, payment_result_record
from tests.factories import incentive_by_code
from tests.support.disbursement import QUALITY_AWARD, approved_batch, final_award, finance


def paid_award(amount: str = "3000000", *, code: str = QUALITY_AWARD) -> Award:
    """A final award paid in full by the bank yesterday (its application "paid")."""
    award = final_award(amount, code=code)
    officer = finance("finance-1")
    batch = approved_batch(officer, finance("finance-2"), incentive=incentive_by_code(code))
    payment = batch.payments.get(award=award)
    payment_result_record(
        actor=officer,
        payment_id=payment.pk,
        result=BankResult(
            status=Payment.Status.PAID,
            paid_on=timezone.localdate() - dt.timedelta(days=1),
            bank_reference=f"BK-{payment.pk:06d}",
        ),
    )
    award.refresh_from_db()
    assert award.status == Award.Status.PAID and award.amount == Decimal(amount)
    return award


def fresh(application: Application) -> Application:
    return Application.objects.select_related("incentive", "applicant").get(pk=application.pk)


def applicant_user(award: Award) -> User:
    """The enterprise user who made the award's application."""
    return award.application.created_by
