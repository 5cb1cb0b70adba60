"""The dashboards of administrators, finance and departments: one read per section, each a
fixed number of queries on the tallies (reports/tallies.py), for the reader's scope
(reports/scope.py) and a fiscal year (the current one unless the reader asks for another, or for
every year: `fiscal_year=None`)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .scope import ReportScope
from .selectors import (
    ZERO,
    ActivityDay,
    BudgetRow,
    Compliance,
    CountRow,
    SummaryRow,
    applications_by_stage,
    applications_by_status,
    budgets_by_incentive,
    payments_by_status,
    recent_activity,
    summary_rows,
    summary_total_of,
    summary_totals,
    time_limit_compliance,
)
from .targets import TargetRow, targets_with_progress

# Which sections each reader's dashboard shows.
DASHBOARD_SECTIONS = {
    "administrator": ("applications", "compliance", "activity", "budgets", "payments", "cities", "targets"),
    "finance": ("budgets", "payments", "cities"),
    "department": ("applications", "compliance", "activity", "budgets", "payments", "cities", "targets"),
}


@dataclass
class Dashboard:
    scope: ReportScope
    fiscal_year: int | None
    sections: tuple[str, ...]
    totals: SummaryRow
    by_status: list[CountRow] = field(default_factory=list)
    by_stage: list[CountRow] = field(default_factory=list)
    compliance: Compliance | None = None
    activity: list[ActivityDay] = field(default_factory=list)  # the last 30 days, whatever the year
    budgets: list[BudgetRow] = field(default_factory=list)
    payments: list[CountRow] = field(default_factory=list)
    cities: list[SummaryRow] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)

    @property
    def applications_total(self) -> int:
        return sum(r.count for r in self.by_status)

    @property
    def allocation_total(self) -> Decimal:
        return sum((b.allocation for b in self.budgets), ZERO)

    def activity_totals(self, days: int) -> ActivityDay:
        """The last `days` days' moves added up (for "last 7 days", "last 30 days")."""
        recent = self.activity[-days:]
        total = ActivityDay(recent[-1].day if recent else dt.date.min)
        for day in recent:
            total.submitted += day.submitted
            total.accepted += day.accepted
            total.decided += day.decided
        return total

    @property
    def last_week(self) -> ActivityDay:
        return self.activity_totals(7)

    @property
    def last_month(self) -> ActivityDay:
        return self.activity_totals(30)


def dashboard_for(scope: ReportScope, fiscal_year: int | None = None, *, today: dt.date | None = None) -> Dashboard:
    """Everything a dashboard shows, in a fixed number of queries (one per section, three for the
    time limits); `fiscal_year` None: every year."""
    sections = DASHBOARD_SECTIONS[scope.role]
    cities = summary_rows(scope, "city", fiscal_year) if "cities" in sections else None
    totals = summary_total_of(cities) if cities is not None else summary_totals(scope, fiscal_year)
    board = Dashboard(scope, fiscal_year, sections, totals)
    if "applications" in sections:
        board.by_status = applications_by_status(scope, fiscal_year)
        board.by_stage = applications_by_stage(board.by_status)
    if "compliance" in sections:
        board.compliance = time_limit_compliance(scope, fiscal_year, today=today)
    if "activity" in sections:
        board.activity = recent_activity(scope, today=today)
    if "budgets" in sections:
        board.budgets = budgets_by_incentive(scope, fiscal_year)
    if "payments" in sections:
        board.payments = payments_by_status(scope, fiscal_year)
    if cities is not None:
        board.cities = cities
    if "targets" in sections:
        board.targets = targets_with_progress(department_id=scope.department_id)
    return board
