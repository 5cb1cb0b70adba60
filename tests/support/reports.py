"""Data for the reports tests (not a test module): officials, and awards at each stage of their
money's life, with budgets that agree with them.

    award_at("paid", amount="3000000", city="shenzhen")     # committed through award_commit, then paid
    award_at("failed", code=PER_UNIT)                       # final, with a failed payment

The statuses after the commitment are set directly (not through the workflows), so the dashboards'
tallies are recounted after each award (reports.tallies.tallies_rebuild), as after a bulk load.
"""

import itertools
import math
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from accounts.models import OfficialRole, User
from applications.form_definitions import definition_for
from applications.models import Application, Status
from awards.models import Award
from awards.services import award_commit
from budgets.models import Budget
from budgets.services import budget_set, year_ceiling_set
from disbursement.models import DisbursementBatch, Payment
from measures.ceilings import policy_names_a_figure
from measures.models import Incentive, YearCeiling
from reports.tallies import tallies_rebuild
from tests.factories import (
    ApplicantFactory,
    ApplicationFactory,
    EnterpriseUserFactory,
    OfficialFactory,
    incentive_by_code,
)

MIIT_GRANT = "m3-little-giant"  # handled by 省工业和信息化厅 (miit); the policy names no figure: a ceiling is set
AMR_GRANT = "m15-international-standard-lead"  # handled by 省市场监管局 (amr)
QUALITY_AWARD = "m17-china-quality-award-org"  # 3,000,000 CNY, handled by 省市场监管局 (amr): for review flows
YEAR = 2026

_sequence = itertools.count(1)


def official(username: str, role: str, department: str | None = None, **extra: object) -> User:
    """The official of that name (made the first time)."""
    return OfficialFactory(username=username, role=role, department=department, **extra)


def finance(username: str = "finance-1") -> User:
    return OfficialFactory(username=username, role=OfficialRole.FINANCE)


def administrator(username: str = "admin-1") -> User:
    return OfficialFactory(username=username, role=OfficialRole.ADMINISTRATOR)


def _budget(code: str, year: int) -> Budget:
    budget = Budget.objects.filter(incentive__code=code, fiscal_year=year).first()
    if budget is None:
        budget = budget_set(
            actor=finance(f"finance-budget-{next(_sequence)}"),
            incentive=incentive_by_code(code),
            fiscal_year=year,
            allocation=Decimal("900000000"),
        )
    return budget


def _department_ceiling(code: str, year: int, amount: Decimal) -> None:
    """Where the policy names no figure (measure 3), the department's ceiling for the year, as
    year_ceiling_set records it, high enough for the award being made."""
    incentive = incentive_by_code(code)
    if policy_names_a_figure(incentive):
        return
    current = YearCeiling.objects.filter(incentive=incentive, fiscal_year=year).first()
    if current is None or current.amount < amount:
        year_ceiling_set(actor=administrator(), incentive=incentive, fiscal_year=year, amount=amount)


def _claim_for(incentive: Incentive, amount: Decimal) -> dict:
    """Answers whose claim allows `amount`: for a per-unit grant, enough units (standards led)."""
    if incentive.kind != Incentive.Kind.PER_UNIT_GRANT:
        return {}
    unit_cap = incentive.amount_parameters.get(key="unit_cap").value
    section, _dot, field = definition_for(incentive)["claim"]["units"].partition(".")
    units = max(1, math.ceil(amount / unit_cap))
    return {section: {field: [{"number": f"ISO {20000 + i}"} for i in range(units)]}}


def award_at(stage: str = "committed", **kwargs: object) -> Award:
    award = _award_at(stage, **kwargs)  # type: ignore[arg-type]
    tallies_rebuild()
    return award


def _award_at(
    stage: str = "committed",
    *,
    code: str = MIIT_GRANT,
    amount: str = "3000000",
    city: str = "guangzhou",
    year: int = YEAR,
    payee: str | None = None,
    bank_reference: str = "",
) -> Award:
    """An award committed against its budget (award_commit), then final, paid or with a failed
    payment; the budget's committed and paid figures follow as the disbursement services keep them."""
    _budget(code, year)
    _department_ceiling(code, year, Decimal(amount))
    n = next(_sequence)
    applicant = ApplicantFactory(city=city)
    user = EnterpriseUserFactory(applicant=applicant)
    incentive = incentive_by_code(code)
    application = ApplicationFactory(
        created_by=user,
        applicant=applicant,
        incentive=incentive,
        fiscal_year=year,
        status=Status.APPROVED,
        reference=f"QB-{year}-{incentive.measure.number:02d}-{n:06d}",
        data=_claim_for(incentive, Decimal(amount)),
    )
    award = award_commit(actor=None, application=application, amount=Decimal(amount))
    if stage == "committed":
        return award
    status = {"final": Status.FINAL, "failed": Status.PAYMENT_FAILED, "paid": Status.PAID, "pending": Status.FINAL}
    Application.objects.filter(pk=application.pk).update(status=status[stage])
    award.status = Award.Status.PAID if stage == "paid" else Award.Status.FINAL
    award.save(update_fields=["status"])
    if stage == "final":
        return award
    batch = DisbursementBatch.objects.create(
        number=f"PB-{year}-{n:05d}", status=DisbursementBatch.Status.CLOSED, created_by=finance(f"finance-b-{n}")
    )
    payment_status = {"paid": Payment.Status.PAID, "failed": Payment.Status.FAILED, "pending": Payment.Status.PENDING}
    Payment.objects.create(
        batch=batch,
        award=award,
        reference=f"PAY-{year}-{n:06d}",
        amount=award.amount,
        payee_name=payee or applicant.name,
        bank_name="中国工商银行广州天河支行",
        account_number="6222020200112233445",
        status=payment_status[stage],
        paid_on=timezone.localdate() if stage == "paid" else None,
        bank_reference=bank_reference or (f"BR{n:08d}" if stage == "paid" else ""),
        failure_reason="账户名称不符" if stage == "failed" else "",
    )
    if stage == "paid":
        Budget.objects.filter(pk=award.budget_id).update(
            committed=F("committed") - award.amount, paid=F("paid") + award.amount
        )
    return award
