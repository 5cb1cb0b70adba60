"""Arrange steps for the disbursement tests: finance officers, final awards made directly
(award_commit + statuses set in the arrange step, the announcement flow not needed), and the
bank's results files."""

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import OfficialRole, User
from applications.models import Application, Status
from awards.models import Award
from awards.services import award_commit
from budgets.models import Budget
from budgets.services import budget_set
from disbursement.models import DisbursementBatch
from tests.factories import ApplicationFactory, BankAccountFactory, OfficialFactory, incentive_by_code

QUALITY_AWARD = "m17-china-quality-award-org"  # amr, 3,000,000 CNY
STANDARD_LEAD = "m15-international-standard-lead"  # amr
YEAR = 2026
_references = itertools.count(1)


def finance(username: str = "finance-1") -> User:
    """The finance officer of that name (made the first time)."""
    return OfficialFactory(role=OfficialRole.FINANCE, username=username)


def ensure_budget(code: str = QUALITY_AWARD, allocation: str = "900000000") -> Budget:
    admin = OfficialFactory(role=OfficialRole.ADMINISTRATOR, username="budget-admin")
    return budget_set(actor=admin, incentive=incentive_by_code(code), fiscal_year=YEAR, allocation=Decimal(allocation))


def final_award(
    amount: str = "3000000",
    *,
    code: str = QUALITY_AWARD,
    bank: bool = True,
    payee: str | None = None,
    application_status: str = Status.FINAL,
    award_status: str = Award.Status.FINAL,
) -> Award:
    """A committed award made final directly (the announcement flow is another part's)."""
    if not Budget.objects.filter(incentive__code=code, fiscal_year=YEAR).exists():
        ensure_budget(code)
    measure = incentive_by_code(code).measure.number
    application = ApplicationFactory(
        incentive=incentive_by_code(code),
        fiscal_year=YEAR,
        status=Status.APPROVED,
        reference=f"QB-{YEAR}-{measure}-{next(_references):06d}",
        submitted_at=timezone.now(),
    )
    with transaction.atomic():  # award_commit runs inside the approval's transaction
        award = award_commit(actor=None, application=application, amount=Decimal(amount))
    Application.objects.filter(pk=application.pk).update(status=application_status)
    Award.objects.filter(pk=award.pk).update(status=award_status, finalised_at=timezone.now())
    if bank:
        BankAccountFactory(
            applicant=application.applicant,
            account_name=payee if payee is not None else application.applicant.name,
            account_number=f"62220202{next(_references):011d}",
        )
    award.refresh_from_db()
    return award


def approved_batch(built_by: User, approved_by: User, **filters: object) -> DisbursementBatch:
    from disbursement.services import batch_approve, batch_build

    built = batch_build(actor=built_by, **filters)
    return batch_approve(actor=approved_by, batch=built.batch)


RESULTS_HEADER = ["payment reference", "status", "paid date", "bank reference", "failure reason", "amount"]


def results_csv(rows: Iterable[Iterable[object]], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or RESULTS_HEADER)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


def upload(content: bytes, name: str = "results.csv") -> SimpleUploadedFile:
    content_type = "text/csv" if name.endswith(".csv") else "application/octet-stream"
    return SimpleUploadedFile(name, content, content_type=content_type)


def paid_rows(batch: DisbursementBatch, day: str | None = None) -> list[list[object]]:
    day = day or (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    return [
        [p.reference, "paid", day, f"BK{p.pk:08d}", "", f"{p.amount:.2f}"] for p in batch.payments.order_by("reference")
    ]
