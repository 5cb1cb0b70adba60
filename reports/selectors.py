"""What reports, exports and dashboards read (selectors): one place for pages, the API and tasks.

Every figure is an aggregate the database computes (`values()` + `annotate()` with Sum/Count), so
a dashboard costs the same few queries whatever the number of applications or payments. The
dashboards' and summaries' figures read the tallies (reports/tallies.py: one row per fiscal year,
incentive and status, kept in step with every status change), never the millions of applications;
only "open and past due" depends on today and reads the applications, through a partial index.
Dashboards show the current fiscal year unless the reader asks for another or for every year.

Who sees what (`report_scope`):
- administrators and finance officers: every department;
- department officials (handlers, approvers): the incentives their department handles;
- anyone else (applicants, anonymous): nothing (PermissionDenied).

Money terms: an award's amount is *committed* while the award is committed or final, *paid* once
paid; withdrawn and cancelled awards count nowhere (their amount went back to the budget).
*Recovered* (追回) is what applicants refunded of paid awards (the recovery app's refunds).
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import (
    Case,
    Count,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Status
from applications.stages import DECISION_ACTIONS
from applications.states import OPEN_STATUSES, STATES, TIMED_STATES
from awards.models import Award
from budgets.models import Budget
from disbursement.models import Payment
from measures.vocabulary import GuangdongCity
from portal.languages import pick
from recovery.models import Refund

from .models import ApplicationTally, AwardTally, DailyTally, ExportJob, PaymentTally, StageTally, Tally
from .scope import ReportScope, is_report_admin, is_report_reader

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=20, decimal_places=2)


COMMITTED_STATUSES = (Award.Status.COMMITTED, Award.Status.FINAL)
# Ended without payment: the amount went back to the budget (an upheld objection, a cancelled payment).
ENDED_AWARD_STATUSES = (Award.Status.WITHDRAWN, Award.Status.CANCELLED)


def awards_in(scope: ReportScope, fiscal_year: int | None = None) -> QuerySet[Award]:
    awards = Award.objects.exclude(status__in=ENDED_AWARD_STATUSES)
    if scope.department_id is not None:
        awards = awards.filter(application__incentive__handling_department_id=scope.department_id)
    if fiscal_year:
        awards = awards.filter(application__fiscal_year=fiscal_year)
    return awards


def payments_in(scope: ReportScope, fiscal_year: int | None = None) -> QuerySet[Payment]:
    payments = Payment.objects.all()
    if scope.department_id is not None:
        payments = payments.filter(award__application__incentive__handling_department_id=scope.department_id)
    if fiscal_year:
        payments = payments.filter(award__application__fiscal_year=fiscal_year)
    return payments


def applications_in(scope: ReportScope, fiscal_year: int | None = None) -> QuerySet[Application]:
    applications = Application.objects.exclude(status=Status.DRAFT)
    if scope.department_id is not None:
        applications = applications.filter(incentive__handling_department_id=scope.department_id)
    if fiscal_year:
        applications = applications.filter(fiscal_year=fiscal_year)
    return applications


def budgets_in(scope: ReportScope, fiscal_year: int | None = None) -> QuerySet[Budget]:
    budgets = Budget.objects.all()
    if scope.department_id is not None:
        budgets = budgets.filter(incentive__handling_department_id=scope.department_id)
    if fiscal_year:
        budgets = budgets.filter(fiscal_year=fiscal_year)
    return budgets


def current_fiscal_year() -> int:
    """The fiscal year dashboards show unless asked otherwise (China's fiscal year is the calendar year)."""
    return timezone.localdate().year


def tallies_in(model: type[Tally], scope: ReportScope, fiscal_year: int | None = None) -> QuerySet[Any]:
    """A tally's rows in the reader's scope (the department through the incentive: a small table)."""
    rows = model.objects.order_by()
    if scope.department_id is not None:
        rows = rows.filter(incentive__handling_department_id=scope.department_id)
    if fiscal_year:
        rows = rows.filter(fiscal_year=fiscal_year)
    return cast(QuerySet[Any], rows)


def fiscal_years(scope: ReportScope) -> list[int]:
    """The years anything was budgeted or applied for (newest first), for the year filters."""
    years = set(budgets_in(scope).values_list("fiscal_year", flat=True).distinct())
    years |= set(tallies_in(ApplicationTally, scope).values_list("fiscal_year", flat=True).distinct())
    return sorted(years, reverse=True)


LEDGER_FIELDS = (
    "reference",
    "batch__number",
    "status",
    "paid_on",
    "payee_name",
    "bank_name",
    "bank_reference",
    "amount",
    "award__application__reference",
    "award__application__incentive__code",
    "award__application__incentive__name",
    "award__application__incentive__measure__number",
    "award__application__incentive__handling_department__name",
    "award__application__applicant__city",
    "award__application__fiscal_year",
    "failure_reason",
    "recovered",
)


LEDGER_HEADERS = (
    _("Payment reference"),
    _("Batch"),
    _("Status"),
    _("Paid on"),
    _("Payee"),
    _("Bank"),
    _("Bank reference"),
    _("Amount (CNY)"),
    _("Application reference"),
    _("Incentive code"),
    _("Incentive"),
    _("Measure"),
    _("Department"),
    _("City"),
    _("Fiscal year"),
    _("Failure reason"),
    _("Recovered (CNY)"),
)


def _refunded_on_award() -> Any:
    """What applicants refunded on the payment's award (追回), for a paid payment; 0 otherwise."""
    refunds = (
        Refund.objects.filter(recovery__award=OuterRef("award"))
        .order_by()
        .values("recovery__award")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Case(
        When(status=Payment.Status.PAID, then=Coalesce(Subquery(refunds, output_field=MONEY), Value(ZERO))),
        default=Value(ZERO),
        output_field=MONEY,
    )


def ledger_queryset(scope: ReportScope, fiscal_year: int | None = None) -> QuerySet[Payment]:
    """The payments, each with what was refunded of it after a recovery decision (`recovered`)."""
    return payments_in(scope, fiscal_year).annotate(recovered=_refunded_on_award()).order_by("pk")


def ledger_rows(scope: ReportScope, fiscal_year: int | None = None, *, chunk_size: int = 2000) -> Iterator[tuple]:
    """One tuple per payment, in LEDGER_HEADERS' order, read from the database in chunks (a server-side
    cursor on PostgreSQL): memory stays flat however long the ledger is."""
    statuses = {value: str(label) for value, label in Payment.Status.choices}
    cities = {value: str(label) for value, label in GuangdongCity.choices}
    status_at, city_at = LEDGER_FIELDS.index("status"), LEDGER_FIELDS.index("award__application__applicant__city")
    rows = ledger_queryset(scope, fiscal_year).values_list(*LEDGER_FIELDS).iterator(chunk_size=chunk_size)
    for row in rows:
        out = list(row)
        out[status_at] = statuses.get(row[status_at], row[status_at])
        out[city_at] = cities.get(row[city_at], row[city_at])
        yield tuple(out)


def ledger_totals(scope: ReportScope, fiscal_year: int | None = None) -> dict[str, Any]:
    payments = payments_in(scope, fiscal_year)
    # "amount" last: an aggregate's alias hides the field of that name from the aggregates after it.
    totals = payments.aggregate(
        payments=Count("pk"),
        paid=Sum("amount", filter=Q(status=Payment.Status.PAID), default=ZERO),
        paid_count=Count("pk", filter=Q(status=Payment.Status.PAID)),
        amount=Sum("amount", default=ZERO),
    )
    paid_awards = payments.filter(status=Payment.Status.PAID).values("award")
    totals |= Refund.objects.filter(recovery__award__in=paid_awards).aggregate(recovered=Sum("amount", default=ZERO))
    return totals


@dataclass(frozen=True)
class Dimension:
    slug: str
    title: Any
    fields: tuple[str, ...]  # what the rows are grouped by: key first
    order: tuple[str, ...]

    def label(self, row: dict[str, Any]) -> tuple[str, str]:
        """(key, name) of a grouped row, in the reader's language."""
        key = row[self.fields[0]]
        if self.slug == "fiscal-year":
            return str(key), str(key)
        if self.slug == "city":
            return key or "", str(GuangdongCity(key).label) if key in GuangdongCity.values else (key or "—")
        if self.slug == "measure":
            return str(key), pick(row[self.fields[1]], row[self.fields[2]])
        return key, pick(row[self.fields[1]], row[self.fields[2]])


# Fields of the award tally (reports.AwardTally): its key, and the catalog through its incentive.
DIMENSIONS: dict[str, Dimension] = {
    d.slug: d
    for d in (
        Dimension("fiscal-year", _("Fiscal year"), ("fiscal_year",), ("-fiscal_year",)),
        Dimension(
            "department",
            _("Department"),
            (
                "incentive__handling_department__code",
                "incentive__handling_department__name",
                "incentive__handling_department__name_en",
            ),
            ("incentive__handling_department__code",),
        ),
        Dimension(
            "measure",
            _("Measure"),
            ("incentive__measure__number", "incentive__measure__title", "incentive__measure__title_en"),
            ("incentive__measure__number",),
        ),
        Dimension(
            "incentive",
            _("Incentive"),
            ("incentive__code", "incentive__name", "incentive__name_en"),
            ("incentive__measure__number", "incentive__position", "incentive__code"),
        ),
        Dimension("city", _("City"), ("city",), ("city",)),
    )
}


@dataclass
class SummaryRow:
    key: str
    name: str
    awards: int
    committed: Decimal
    paid: Decimal
    paid_count: int

    @property
    def total(self) -> Decimal:
        return self.committed + self.paid


def _money_aggregates() -> dict[str, Any]:
    """Sums over the award tally: awards (withdrawn ones count nowhere), committed and paid."""
    return {
        "awards": Sum("count", default=0),
        "committed": Sum("amount", filter=Q(status__in=COMMITTED_STATUSES), default=ZERO),
        "paid": Sum("amount", filter=Q(status=Award.Status.PAID), default=ZERO),
        "paid_count": Sum("count", filter=Q(status=Award.Status.PAID), default=0),
    }


def award_tallies_in(scope: ReportScope, fiscal_year: int | None = None) -> QuerySet[AwardTally]:
    return tallies_in(AwardTally, scope, fiscal_year).exclude(status=Award.Status.WITHDRAWN)


def summary_rows(scope: ReportScope, dimension: str, fiscal_year: int | None = None) -> list[SummaryRow]:
    """Awards grouped by one dimension: how many, committed and paid (one query, on the award tally)."""
    spec = DIMENSIONS[dimension]
    grouped = award_tallies_in(scope, fiscal_year).values(*spec.fields).annotate(**_money_aggregates())
    rows = []
    for row in grouped.order_by(*spec.order):
        if not row["awards"]:
            continue  # every award of the group was withdrawn
        key, name = spec.label(row)
        rows.append(SummaryRow(key, name, row["awards"], row["committed"], row["paid"], row["paid_count"]))
    if dimension == "city":
        rows.sort(key=lambda r: r.total, reverse=True)
    return rows


def summary_total_of(rows: list[SummaryRow]) -> SummaryRow:
    """The total row of a summary's rows (the dashboards sum their city rows: no second query)."""
    return SummaryRow(
        "TOTAL",
        str(_("Total")),
        sum(r.awards for r in rows),
        sum((r.committed for r in rows), ZERO),
        sum((r.paid for r in rows), ZERO),
        sum(r.paid_count for r in rows),
    )


def summary_totals(scope: ReportScope, fiscal_year: int | None = None) -> SummaryRow:
    totals = award_tallies_in(scope, fiscal_year).aggregate(**_money_aggregates())
    return SummaryRow(
        "TOTAL", str(_("Total")), totals["awards"], totals["committed"], totals["paid"], totals["paid_count"]
    )


# Where an application stands, in the few stages a reader of a dashboard thinks in.
# Which states are in which stage is the states' table's (applications/states.py); the labels are the reader's.
STAGES: tuple[tuple[str, Any], ...] = (
    ("intake", _("Intake (受理)")),
    ("review", _("Review (审核)")),
    ("announcement", _("Approval and announcement (公示)")),
    ("payment", _("Disbursement (拨付)")),
    ("done", _("Completed")),
    ("closed", _("Not supported or ended")),
)
STAGE_OF = {status: state.stage for status, state in STATES.items() if state.stage in dict(STAGES)}


@dataclass
class CountRow:
    key: str
    label: str
    count: int
    amount: Decimal | None = None


def applications_by_status(scope: ReportScope, fiscal_year: int | None = None) -> list[CountRow]:
    """Applications per status, drafts left out (one query, on the application tally)."""
    counts = {
        r["status"]: r["n"]
        for r in tallies_in(ApplicationTally, scope, fiscal_year).values("status").annotate(n=Sum("count"))
    }
    return [CountRow(value, str(label), counts[value]) for value, label in Status.choices if counts.get(value)]


def applications_by_stage(by_status: list[CountRow]) -> list[CountRow]:
    totals = {slug: 0 for slug, _label in STAGES}
    for row in by_status:
        totals[STAGE_OF.get(row.key, "closed")] += row.count
    return [CountRow(slug, str(label), totals[slug]) for slug, label in STAGES]


@dataclass
class StageRow:
    """Timed stages of one status that ended: how many, how long on average, how many in time."""

    key: str
    label: str
    ended: int
    timed: int  # ended with a time limit running
    in_time: int
    seconds: int

    @property
    def average_days(self) -> float | None:
        return round(self.seconds / self.ended / 86400, 1) if self.ended else None

    @property
    def in_time_percent(self) -> float | None:
        return round(100 * self.in_time / self.timed, 1) if self.timed else None


@dataclass
class Compliance:
    open: int
    overdue: int
    decided: int  # decisions whose review deadline is on record
    decided_in_time: int
    stages: list[StageRow] = field(default_factory=list)

    @property
    def overdue_percent(self) -> float | None:
        return round(100 * self.overdue / self.open, 1) if self.open else None

    @property
    def in_time_percent(self) -> float | None:
        return round(100 * self.decided_in_time / self.decided, 1) if self.decided else None


def open_overdue(scope: ReportScope, fiscal_year: int | None = None, *, today: dt.date | None = None) -> int:
    """Open applications past their stage's due date: one count on the partial index of open
    applications (applications.Application "application_open_due")."""
    today = today or timezone.localdate()
    return applications_in(scope, fiscal_year).filter(status__in=OPEN_STATUSES, stage_due_on__lt=today).count()


def time_limit_compliance(
    scope: ReportScope, fiscal_year: int | None = None, *, today: dt.date | None = None
) -> Compliance:
    """Open applications past their stage's due date; review decisions (propose, not support,
    handled) taken on or before the review deadline set at acceptance; and each timed stage's
    count, average duration and share ended within its limit (three queries: the application and
    stage tallies, and the overdue count).

    A decision is a stage record (applications.StageRecord) of leaving review by one of
    DECISION_ACTIONS, with the due date that was running; records without one are not counted.
    """
    open_count = (
        tallies_in(ApplicationTally, scope, fiscal_year)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(n=Sum("count", default=0))["n"]
    )
    stages: dict[str, StageRow] = {
        status: StageRow(status, str(label), 0, 0, 0, 0) for status, label in Status.choices if status in TIMED_STATES
    }
    decided = decided_in_time = 0
    grouped = (
        tallies_in(StageTally, scope, fiscal_year)
        .values("status", "action")
        .annotate(
            ended=Sum("count", default=0),
            timed_n=Sum("timed", default=0),
            in_time_n=Sum("in_time", default=0),
            total_seconds=Sum("seconds", default=0),
        )
    )
    for row in grouped:
        stage = stages.get(row["status"])
        if stage is not None:
            stage.ended += row["ended"]
            stage.timed += row["timed_n"]
            stage.in_time += row["in_time_n"]
            stage.seconds += row["total_seconds"]
        if row["action"] in DECISION_ACTIONS:
            decided += row["timed_n"]
            decided_in_time += row["in_time_n"]
    return Compliance(
        open_count,
        open_overdue(scope, fiscal_year, today=today),
        decided,
        decided_in_time,
        [stage for stage in stages.values() if stage.ended],
    )


@dataclass
class ActivityDay:
    """One day's moves: applications submitted, accepted, and review decisions taken."""

    day: dt.date
    submitted: int = 0
    accepted: int = 0
    decided: int = 0


ACTIVITY_DAYS = 30


def recent_activity(
    scope: ReportScope, *, today: dt.date | None = None, days: int = ACTIVITY_DAYS
) -> list[ActivityDay]:
    """Every day of the last `days` (oldest first), whatever the fiscal year: one query on the
    daily tally."""
    today = today or timezone.localdate()
    window = [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    by_day = {day: ActivityDay(day) for day in window}
    rows = (
        tallies_in(DailyTally, scope)
        .filter(day__gte=window[0], day__lte=today, action__in=("submit", "accept", *DECISION_ACTIONS))
        .values("day", "action")
        .annotate(n=Sum("count"))
    )
    for row in rows:
        entry = by_day[row["day"]]
        if row["action"] == "submit":
            entry.submitted += row["n"]
        elif row["action"] == "accept":
            entry.accepted += row["n"]
        else:
            entry.decided += row["n"]
    return list(by_day.values())


@dataclass
class BudgetRow:
    code: str
    name: str
    measure: int
    allocation: Decimal
    committed: Decimal
    paid: Decimal
    recovered: Decimal = ZERO  # refunded after recovery decisions: back to the treasury, not to `remaining`

    @property
    def remaining(self) -> Decimal:
        return self.allocation - self.committed - self.paid

    @property
    def used_percent(self) -> float:
        return round(100 * float((self.committed + self.paid) / self.allocation), 1) if self.allocation else 0.0


def budgets_by_incentive(scope: ReportScope, fiscal_year: int | None = None) -> list[BudgetRow]:
    """Allocation, committed, paid and recovered per incentive (summed over years when no year is
    chosen): two queries."""
    refunds = Refund.objects.filter(recovery__award__budget__in=budgets_in(scope, fiscal_year))
    recovered = dict(
        refunds.order_by()
        .values_list("recovery__award__budget__incentive__code")
        .annotate(total=Sum("amount"))
        .values_list("recovery__award__budget__incentive__code", "total")
    )
    grouped = (
        budgets_in(scope, fiscal_year)
        .order_by()
        .values("incentive__code", "incentive__name", "incentive__name_en", "incentive__measure__number")
        .annotate(allocation=Sum("allocation"), committed=Sum("committed"), paid=Sum("paid"))
        .order_by("incentive__measure__number", "incentive__code")
    )
    return [
        BudgetRow(
            r["incentive__code"],
            pick(r["incentive__name"], r["incentive__name_en"]),
            r["incentive__measure__number"],
            r["allocation"],
            r["committed"],
            r["paid"],
            recovered.get(r["incentive__code"], ZERO),
        )
        for r in grouped
    ]


def payments_by_status(scope: ReportScope, fiscal_year: int | None = None) -> list[CountRow]:
    """Payments per status with their amounts (one query, on the payment tally)."""
    grouped = {
        r["status"]: r
        for r in tallies_in(PaymentTally, scope, fiscal_year)
        .values("status")
        .annotate(n=Sum("count"), amount=Sum("amount"))
        if r["n"]
    }
    return [
        CountRow(value, str(label), grouped[value]["n"], grouped[value]["amount"])
        for value, label in Payment.Status.choices
        if value in grouped
    ]


def export_jobs_of(user: Any) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(requested_by_id=user.pk).order_by("-created_at", "-pk")


def export_job_for(user: Any, job_id: int) -> ExportJob:
    """The job if the user asked for it (and may still read reports) or administers the portal;
    otherwise 404, the same answer for "missing" and "not yours"."""
    jobs = ExportJob.objects.select_related("requested_by", "department")
    if not is_report_admin(user):
        if not is_report_reader(user):
            raise Http404
        jobs = jobs.filter(requested_by_id=user.pk)
    try:
        return jobs.get(pk=job_id)
    except ExportJob.DoesNotExist:
        raise Http404 from None
