"""Budgets as finance sees them: the reads shared by the pages and the API."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.permissions import is_department_official
from measures.ceilings import policy_names_a_figure
from measures.models import Incentive, YearCeiling

from .hooks import budget_recovered
from .models import Budget
from .permissions import may_set_ceiling

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=20, decimal_places=2)


def recovered_expression() -> Any:
    """What was refunded of each budget's paid awards (追回), as an expression over Budget rows: the
    recovery app's answer to `budgets.hooks.budget_recovered`, or 0 when no app records refunds."""
    found = [expression for expression in budget_recovered.send() if expression is not None]
    return found[0] if found else Value(ZERO, output_field=MONEY)


def budgets_overview(*, fiscal_year: int | None = None, incentive: Incentive | None = None) -> QuerySet[Budget]:
    """Budgets with their incentive, measure and department, what is left (`remaining_amount`) and
    what applicants refunded of paid awards (`recovered_amount`: shown beside "paid"; refunds go
    back to the treasury, so they do not add to what is left)."""
    budgets = Budget.objects.select_related("incentive__measure", "incentive__handling_department").annotate(
        remaining_amount=F("allocation") - F("committed") - F("paid"), recovered_amount=recovered_expression()
    )
    if fiscal_year:
        budgets = budgets.filter(fiscal_year=fiscal_year)
    if incentive is not None:
        budgets = budgets.filter(incentive=incentive)
    return budgets.order_by("-fiscal_year", "incentive__measure__number", "incentive__position", "pk")


def budget_totals(budgets: QuerySet[Budget]) -> dict[str, Decimal]:
    """The figures of `budgets_overview` rows, summed (one query)."""
    totals = budgets.order_by().aggregate(
        allocation=Coalesce(Sum("allocation"), Value(ZERO), output_field=MONEY),
        committed=Coalesce(Sum("committed"), Value(ZERO), output_field=MONEY),
        paid=Coalesce(Sum("paid"), Value(ZERO), output_field=MONEY),
        recovered=Coalesce(Sum("recovered_amount"), Value(ZERO), output_field=MONEY),
    )
    totals["remaining"] = totals["allocation"] - totals["committed"] - totals["paid"]
    return totals


def budget_years() -> list[int]:
    this_year = timezone.localdate().year
    years = set(Budget.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    return sorted(years | {this_year}, reverse=True)


def monetary_incentives() -> QuerySet[Incentive]:
    return (
        Incentive.objects.filter(kind__in=Incentive.GRANT_KINDS)
        .select_related("measure")
        .order_by("measure__number", "position")
    )


def incentives_without_budget(fiscal_year: int) -> QuerySet[Incentive]:
    return monetary_incentives().exclude(budgets__fiscal_year=fiscal_year)


@dataclass(frozen=True)
class CeilingRow:
    """An incentive whose policy names no figure, and the ceiling its department set for a year."""

    incentive: Incentive
    fiscal_year: int
    ceiling: YearCeiling | None
    may_set: bool


def ceilings_overview(user: Any, fiscal_year: int) -> list[CeilingRow]:
    """The incentives that need a department's ceiling (the policy names no figure), the user's
    department's only for a department official; with the year's ceiling where one is set."""
    incentives = monetary_incentives().select_related("handling_department").prefetch_related("amount_parameters")
    if is_department_official(user):
        incentives = incentives.filter(handling_department_id=user.department_id)
    needing = [incentive for incentive in incentives if not policy_names_a_figure(incentive)]
    ceilings = {
        c.incentive_id: c
        for c in YearCeiling.objects.filter(fiscal_year=fiscal_year, incentive__in=needing).select_related("set_by")
    }
    return [CeilingRow(i, fiscal_year, ceilings.get(i.pk), may_set_ceiling(user, i)) for i in needing]
