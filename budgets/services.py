"""Writes on budgets. Each locks the budget row it changes; the database's check constraint is the last line."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from measures.models import Incentive

from .models import Budget
from .permissions import may_manage_budgets


class BudgetError(Exception):
    def __init__(self, message: str, *, remaining: Decimal | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remaining = remaining


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def budget_set(*, actor: User, incentive: Incentive, fiscal_year: int, allocation: Decimal) -> Budget:
    """Finance (or an administrator) sets the allocation; never below what is committed and paid."""
    if not may_manage_budgets(actor):
        raise BudgetError(_("Only finance officers set budgets."))
    allocation = Decimal(allocation).quantize(Decimal("0.01"))
    if allocation < 0:
        raise BudgetError(_("The allocation cannot be negative."))
    with transaction.atomic():
        Budget.objects.bulk_create(
            [Budget(incentive=incentive, fiscal_year=fiscal_year, allocation=0)], ignore_conflicts=True
        )
        budget = Budget.objects.select_for_update().get(incentive=incentive, fiscal_year=fiscal_year)
        used = budget.committed + budget.paid
        if allocation < used:
            raise BudgetError(
                _("The allocation cannot be less than the %(used)s CNY already committed or paid.")
                % {"used": _money(used)},
                remaining=budget.remaining,
            )
        before = {"allocation": budget.allocation}
        budget.allocation = allocation
        budget.save(update_fields=["allocation", "updated_at"])
        audit_record(actor=actor, action="budget.set", obj=budget, before=before, after={"allocation": allocation})
    return budget
