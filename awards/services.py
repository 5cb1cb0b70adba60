"""Writes on awards: committing an approved amount against its budget, and giving it back."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.claim_keys import claim_keys_release
from applications.models import Application
from applications.review import BudgetRefused, claim_ceiling, require_within_ceiling
from audit.services import audit_record
from budgets.models import Budget
from budgets.services import BudgetError, _money

from .models import Award
from .workflow import WORKFLOW


def award_commit(*, actor: Any, application: Application, amount: Decimal) -> Award:
    """Commits the approved amount against the incentive's budget for the application's year.

    Call it inside the approval's transaction: if the budget cannot take the amount, the whole
    approval rolls back and the error says what is left.
    """
    # The policy's ceiling first, whatever approved the amount (a person, an offer, an import).
    ceiling = require_within_ceiling(amount, claim_ceiling(application), fiscal_year=application.fiscal_year)
    # The budget's row only: Budget's default ordering joins the incentive, and a plain FOR UPDATE
    # would lock the incentive's row too, so every draft started or claim submitted for it (whose
    # foreign key check shares that row) would wait for this approval, or deadlock with it.
    budget = (
        Budget.objects.select_for_update(of=("self",))
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
    award = Award.objects.create(application=application, budget=budget, amount=amount, ceiling=ceiling)
    WORKFLOW.created(award)  # counted in the dashboards' tallies
    audit_record(
        actor=actor,
        action="budget.commit",
        obj=budget,
        after={
            "application": application.reference,
            "amount": amount,
            "ceiling": ceiling,
            "committed": budget.committed,
        },
    )
    return award


def _release(actor: Any, locked: Award, reason: str) -> dict[str, Any]:
    """Gives the award's committed amount back to its budget and frees its claim's keys (on the
    locked award, in the transition's transaction)."""
    claim_keys_release(locked.application)  # the same claim may be funded again
    budget = Budget.objects.select_for_update().get(pk=locked.budget_id)
    budget.committed -= locked.amount
    budget.save(update_fields=["committed", "updated_at"])
    audit_record(
        actor=actor,
        action="budget.release",
        obj=budget,
        reason=reason,
        after={"award": locked.pk, "amount": locked.amount, "committed": budget.committed},
    )
    return {"amount": locked.amount}


def award_release(*, actor: Any, award: Award, reason: str) -> Award:
    """An upheld objection gives the amount back to the budget: the award is withdrawn."""
    with transaction.atomic():
        current = Award.objects.select_for_update().get(pk=award.pk)
        if current.status in (Award.Status.WITHDRAWN, Award.Status.PAID):
            return current  # released already, or paid: nothing to give back
        return WORKFLOW.transition(
            current, "withdraw", actor=actor, changes=lambda locked: _release(actor, locked, reason), reason=reason
        )


def award_cancel(*, actor: Any, award: Award, reason: str) -> Award:
    """A final award whose payment failed and will not be retried: cancelled, its amount given back
    to the budget (finance; the disbursement service checks the payment and moves the application)."""
    return WORKFLOW.transition(
        award,
        "cancel",
        actor=actor,
        changes=lambda locked: _release(actor, locked, reason),
        reason=reason,
        visible_to_applicant=False,
    )


def award_finalise(*, actor: Any, award: Award) -> Award:
    """The announcement ended without an open objection: the award is final and may be paid."""

    def stamp(locked: Award) -> dict[str, Any]:
        locked.finalised_at = timezone.now()
        return {}

    return WORKFLOW.transition(award, "finalise", actor=actor, changes=stamp, visible_to_applicant=False)


def award_pay(*, actor: Any, award: Award, changes: Any = None) -> Award:
    """The bank paid it (the disbursement service moves the budget's figures in `changes`)."""

    def stamp(locked: Award) -> dict[str, Any]:
        locked.paid_at = timezone.now()
        return changes(locked) if changes else {}

    return WORKFLOW.transition(award, "pay", actor=actor, changes=stamp, visible_to_applicant=False)


def award_commit_on_approval(*, actor: Any, application: Application) -> None:
    """Connected to `applications.hooks.application_approving`: a money-paying incentive's approval
    commits its amount in the approval's transaction, or is refused with the budget's reason."""
    if not application.incentive.pays_money:
        return
    amount = application.proposed_amount
    assert amount is not None, "only a proposed application is approved, and proposing sets its amount"
    try:
        award_commit(actor=actor, application=application, amount=amount)
    except BudgetError as error:
        raise BudgetRefused(error.message, remaining=error.remaining) from error
