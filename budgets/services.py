"""Writes on budgets. Each locks the budget row it changes; the database's check constraint is the last line."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from measures.ceilings import policy_names_a_figure
from measures.models import Incentive, YearCeiling

from .models import Budget
from .permissions import may_manage_budgets, may_set_ceiling


class BudgetError(Exception):
    """A rule refused the budget; `field` names the input at fault, `remaining` what is left."""

    def __init__(self, message: str, *, remaining: Decimal | None = None, field: str = "allocation") -> None:
        super().__init__(message)
        self.message = message
        self.remaining = remaining
        self.field = field


def budget_problems(*, incentive: Incentive, allocation: Decimal, used: Decimal = Decimal(0)) -> dict[str, list[str]]:
    """The rules on an allocation, by field: the page's and the admin's forms, the import's rows
    and `budget_set` (which checks again on the locked row) all ask this."""
    problems: dict[str, list[str]] = {}
    if not incentive.pays_money:
        problems["incentive"] = [_("This incentive pays no money: it has no budget.")]
    if allocation < 0:
        problems["allocation"] = [_("The allocation cannot be negative.")]
    elif allocation < used:
        problems["allocation"] = [
            _("The allocation cannot be less than the %(used)s CNY already committed or paid.") % {"used": _money(used)}
        ]
    return problems


def _refuse(problems: dict[str, list[str]], remaining: Decimal | None = None) -> None:
    if problems:
        field, messages = next(iter(problems.items()))
        raise BudgetError(messages[0], remaining=remaining, field=field)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def budget_set(*, actor: User, incentive: Incentive, fiscal_year: int, allocation: Decimal) -> Budget:
    """Finance (or an administrator) sets the allocation; never below what is committed and paid."""
    if not may_manage_budgets(actor):
        raise BudgetError(_("Only finance officers set budgets."))
    allocation = Decimal(allocation).quantize(Decimal("0.01"))
    _refuse(budget_problems(incentive=incentive, allocation=allocation))
    with transaction.atomic():
        Budget.objects.bulk_create(
            [Budget(incentive=incentive, fiscal_year=fiscal_year, allocation=0)], ignore_conflicts=True
        )
        budget = Budget.objects.select_for_update().get(incentive=incentive, fiscal_year=fiscal_year)
        used = budget.committed + budget.paid
        _refuse(budget_problems(incentive=incentive, allocation=allocation, used=used), remaining=budget.remaining)
        before = {"allocation": budget.allocation}
        budget.allocation = allocation
        budget.save(update_fields=["allocation", "updated_at"])
        audit_record(actor=actor, action="budget.set", obj=budget, before=before, after={"allocation": allocation})
    return budget


def year_ceiling_set(*, actor: User, incentive: Incentive, fiscal_year: int, amount: Decimal) -> YearCeiling:
    """Where the policy names no figure, an approver of the handling department (or an
    administrator) sets the most one award may be for the year; applied like the policy's own."""
    if not may_set_ceiling(actor, incentive):
        raise BudgetError(_("Only an approver of the handling department sets the ceiling."), field="amount")
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount <= 0:
        raise BudgetError(_("The ceiling must be more than zero."), field="amount")
    if policy_names_a_figure(incentive):
        raise BudgetError(_("The policy names the figure for this incentive: it needs no ceiling set."), field="amount")
    with transaction.atomic():
        ceiling = YearCeiling.objects.select_for_update().filter(incentive=incentive, fiscal_year=fiscal_year).first()
        before = {"amount": ceiling.amount} if ceiling else {}
        if ceiling is None:
            ceiling = YearCeiling(incentive=incentive, fiscal_year=fiscal_year, amount=amount, set_by=actor)
        ceiling.amount, ceiling.set_by = amount, actor
        ceiling.save()
        audit_record(
            actor=actor, action="ceiling.set", obj=ceiling, before=before, after={"amount": amount, "year": fiscal_year}
        )
    return ceiling
