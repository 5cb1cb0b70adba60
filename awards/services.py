"""Writes that move money: budgets and awards. Each locks the budget row it changes, so
committed + paid never exceed the allocation however many officials approve at once (the
database's check constraint is the last line)."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import OfficialRole, User
from applications.models import Application
from audit.services import audit_record
from measures.models import Incentive

from .models import Award, Budget


class BudgetError(Exception):
    def __init__(self, message: str, *, remaining: Decimal | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remaining = remaining


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def budget_set(*, actor: User, incentive: Incentive, fiscal_year: int, allocation: Decimal) -> Budget:
    """Finance (or an administrator) sets the allocation; never below what is committed and paid."""
    if actor.official_role not in (OfficialRole.FINANCE, OfficialRole.ADMINISTRATOR) and not actor.is_superuser:
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


def award_commit(*, actor: Any, application: Application, amount: Decimal) -> Award:
    """Commits the approved amount against the incentive's budget for the application's year.

    Call it inside the approval's transaction: if the budget cannot take the amount, the whole
    approval rolls back and the error says what is left.
    """
    budget = (
        Budget.objects.select_for_update()
        .filter(incentive_id=application.incentive_id, fiscal_year=application.fiscal_year)
        .first()
    )
    if budget is None:
        raise BudgetError(
            _("No budget is set for this incentive in %(year)s: finance must set one before approval.")
            % {"year": application.fiscal_year}
        )
    if amount > budget.remaining:
        raise BudgetError(
            _("The budget has %(remaining)s CNY left, less than the %(amount)s CNY to approve.")
            % {"remaining": _money(budget.remaining), "amount": _money(amount)},
            remaining=budget.remaining,
        )
    budget.committed += amount
    budget.save(update_fields=["committed", "updated_at"])
    award = Award.objects.create(application=application, budget=budget, amount=amount)
    audit_record(
        actor=actor,
        action="budget.commit",
        obj=budget,
        after={"application": application.reference, "amount": amount, "committed": budget.committed},
    )
    return award


def award_release(*, actor: Any, award: Award, reason: str) -> Award:
    """An upheld objection, a withdrawal or a cancelled payment gives the amount back to the budget."""
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.status in (Award.Status.WITHDRAWN, Award.Status.PAID):
            return locked
        budget = Budget.objects.select_for_update().get(pk=locked.budget_id)
        budget.committed -= locked.amount
        budget.save(update_fields=["committed", "updated_at"])
        locked.status = Award.Status.WITHDRAWN
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="budget.release",
            obj=budget,
            reason=reason,
            after={"award": locked.pk, "amount": locked.amount, "committed": budget.committed},
        )
    return locked
