"""The disbursement notice (资金拨付通知书): what was paid, when and where, in Chinese with a CJK font."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application, Notice, Status
from applications.notices import issue_notice
from audit.services import audit_record
from awards.models import Award
from budgets.models import Budget
from disbursement.models import DisbursementBatch, Payment
from tests.factories import EnterpriseUserFactory, incentive_by_code
from tests.notices.conftest import pdffonts, pdftotext

pytestmark = pytest.mark.django_db


def test_disbursement_notice_states_the_payment() -> None:
    user = EnterpriseUserFactory(applicant__name="广东拨付测试科技有限公司")
    incentive = incentive_by_code()
    application = Application.objects.create(
        applicant=user.applicant,
        created_by=user,
        incentive=incentive,
        fiscal_year=2026,
        status=Status.PAID,
        reference="QB-2026-17-000777",
        submitted_at=timezone.now(),
        proposed_amount=Decimal("3000000"),
    )
    budget = Budget.objects.create(
        incentive=incentive, fiscal_year=2026, allocation=Decimal("9000000"), paid=Decimal("3000000")
    )
    award = Award.objects.create(
        application=application,
        budget=budget,
        amount=Decimal("3000000"),
        ceiling=Decimal("3000000"),
        status=Award.Status.PAID,
    )
    batch = DisbursementBatch.objects.create(number="PF-2026-0001", created_by=user)
    Payment.objects.create(
        batch=batch,
        award=award,
        reference="PF-2026-0001-0001",
        amount=Decimal("3000000"),
        payee_name=user.applicant.name,
        bank_name="中国工商银行深圳分行",
        account_number="6222020200112233445",
        status=Payment.Status.PAID,
        paid_on=dt.date(2026, 11, 20),
        bank_reference="ICBC20261120001",
    )
    event = audit_record(actor=None, action="application.pay", obj=application, after={"status": "paid"})

    notice = issue_notice(application_id=application.pk, kind=Notice.Kind.DISBURSEMENT, event_sequence=event.sequence)
    again = issue_notice(application_id=application.pk, kind=Notice.Kind.DISBURSEMENT, event_sequence=event.sequence)

    assert again.pk == notice.pk and Notice.objects.count() == 1
    text = re.sub(r"\s+", "", pdftotext(notice.pdf.path))
    for expected in (
        "资金拨付通知书",
        "广东拨付测试科技有限公司",
        "3,000,000.00",
        "叁佰万元整",
        "ICBC20261120001",
        "QB-2026-17-000777",
        "3445",
    ):
        assert expected in text, expected
    assert "6222020200112233445" not in text
    assert notice.number.endswith("-BF")
    assert any(
        re.search(r"Noto|WenQuanYi|WQY|CJK", f["name"], re.I) and f["emb"] == "yes" for f in pdffonts(notice.pdf.path)
    )
