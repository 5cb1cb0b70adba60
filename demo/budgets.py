"""The demo's budgets (预算): this year's allocation for every money-paying incentive the demo
applications and calls use, so the demo's own approvals go through (idempotent: an incentive's
year that has a budget is left as it is; set by the demo finance officer, audited)."""

from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from budgets.models import Budget
from budgets.services import budget_set
from measures.models import Incentive

from .applications import DEMO_APPLICATIONS, ensure_demo_officials
from .calls import QUALITY_AWARD, STANDARDS

DEMO_ALLOCATION = Decimal("50000000")


def ensure_demo_budgets() -> list[Budget]:
    """This year's budget (and that of each year a demo application is for) of each incentive the
    demo uses; returns them."""
    ensure_demo_officials()
    finance = User.objects.get(username="demo-finance")
    this_year = timezone.localdate().year
    codes = {spec.incentive for spec in DEMO_APPLICATIONS} | set(STANDARDS) | set(QUALITY_AWARD)
    years = {this_year} | {this_year + spec.year_offset for spec in DEMO_APPLICATIONS}
    budgets = []
    for incentive in Incentive.objects.filter(code__in=codes).order_by("code"):
        if not incentive.pays_money:
            continue
        for year in sorted(years):
            budget = Budget.objects.filter(incentive=incentive, fiscal_year=year).first()
            if budget is None:
                budget = budget_set(actor=finance, incentive=incentive, fiscal_year=year, allocation=DEMO_ALLOCATION)
            budgets.append(budget)
    return budgets
