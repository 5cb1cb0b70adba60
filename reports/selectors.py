"""What reports, exports and dashboards read (selectors): one place for pages, the API and tasks.

Every figure is an aggregate the database computes (`values()` + `annotate()` with Sum/Count), so
a dashboard costs the same few queries whatever the number of applications or payments.

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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Status
from applications.states import OPEN_STATUSES, STATES
from audit.models import AuditEvent
from awards.models import Award
from budgets.models import Budget
from disbursement.models import Payment
from measures.vocabulary import GuangdongCity
from portal.languages import pick
from recovery.models import Refund

from .models import ExportJob
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


def fiscal_years(scope: ReportScope) -> list[int]:
    """The years anything was budgeted or applied for (newest first), for the year filters."""
    years = set(budgets_in(scope).values_list("fiscal_year", flat=True).distinct())
    years |= set(applications_in(scope).values_list("fiscal_year", flat=True).distinct())
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


_APP = "application__"


DIMENSIONS: dict[str, Dimension] = {
    d.slug: d
    for d in (
        Dimension("fiscal-year", _("Fiscal year"), (_APP + "fiscal_year",), ("-" + _APP + "fiscal_year",)),
        Dimension(
            "department",
            _("Department"),
            (
                _APP + "incentive__handling_department__code",
                _APP + "incentive__handling_department__name",
                _APP + "incentive__handling_department__name_en",
            ),
            (_APP + "incentive__handling_department__code",),
        ),
        Dimension(
            "measure",
            _("Measure"),
            (
                _APP + "incentive__measure__number",
                _APP + "incentive__measure__title",
                _APP + "incentive__measure__title_en",
            ),
            (_APP + "incentive__measure__number",),
        ),
        Dimension(
            "incentive",
            _("Incentive"),
            (_APP + "incentive__code", _APP + "incentive__name", _APP + "incentive__name_en"),
            (_APP + "incentive__measure__number", _APP + "incentive__position", _APP + "incentive__code"),
        ),
        Dimension("city", _("City"), (_APP + "applicant__city",), (_APP + "applicant__city",)),
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
    return {
        "awards": Count("pk"),
        "committed": Sum("amount", filter=Q(status__in=COMMITTED_STATUSES), default=ZERO),
        "paid": Sum("amount", filter=Q(status=Award.Status.PAID), default=ZERO),
        "paid_count": Count("pk", filter=Q(status=Award.Status.PAID)),
    }


def summary_rows(scope: ReportScope, dimension: str, fiscal_year: int | None = None) -> list[SummaryRow]:
    """Awards grouped by one dimension: how many, committed and paid (one query)."""
    spec = DIMENSIONS[dimension]
    grouped = (
        awards_in(scope, fiscal_year)
        .order_by()
        .values(*spec.fields)
        .annotate(**_money_aggregates())
        .order_by(*spec.order)
    )
    rows = []
    for row in grouped:
        key, name = spec.label(row)
        rows.append(SummaryRow(key, name, row["awards"], row["committed"], row["paid"], row["paid_count"]))
    if dimension == "city":
        rows.sort(key=lambda r: r.total, reverse=True)
    return rows


def summary_totals(scope: ReportScope, fiscal_year: int | None = None) -> SummaryRow:
    totals = awards_in(scope, fiscal_year).aggregate(**_money_aggregates())
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
    counts = {
        r["status"]: r["n"]
        for r in applications_in(scope, fiscal_year).order_by().values("status").annotate(n=Count("pk"))
    }
    return [CountRow(value, str(label), counts[value]) for value, label in Status.choices if counts.get(value)]


def applications_by_stage(by_status: list[CountRow]) -> list[CountRow]:
    totals = {slug: 0 for slug, _label in STAGES}
    for row in by_status:
        totals[STAGE_OF.get(row.key, "closed")] += row.count
    return [CountRow(slug, str(label), totals[slug]) for slug, label in STAGES]


DECISION_ACTIONS = ("application.propose", "application.reject", "application.handle")


@dataclass
class Compliance:
    open: int
    overdue: int
    decided: int  # decisions whose review deadline is on record
    decided_in_time: int

    @property
    def overdue_percent(self) -> float | None:
        return round(100 * self.overdue / self.open, 1) if self.open else None

    @property
    def in_time_percent(self) -> float | None:
        return round(100 * self.decided_in_time / self.decided, 1) if self.decided else None


def time_limit_compliance(
    scope: ReportScope, fiscal_year: int | None = None, *, today: dt.date | None = None
) -> Compliance:
    """Open applications past their stage's due date, and review decisions (propose, not support,
    handled) taken on or before the review deadline set at acceptance (two queries).

    The deadline is read from the latest acceptance event before each decision in the audit trail
    (`after.stage_due_on`, an ISO date): ISO dates compare correctly as text, on SQLite and
    PostgreSQL alike.
    """
    today = today or timezone.localdate()
    applications = applications_in(scope, fiscal_year)
    open_counts = applications.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, stage_due_on__lt=today)),
    )
    kind = Application._meta.label_lower
    deadline = (
        AuditEvent.objects.filter(
            object_type=kind,
            object_id=OuterRef("object_id"),
            action="application.accept",
            sequence__lt=OuterRef("sequence"),
        )
        .order_by("-sequence")
        .values(due=KT("after__stage_due_on"))[:1]
    )
    decisions = (
        AuditEvent.objects.filter(
            object_type=kind,
            action__in=DECISION_ACTIONS,
            object_id__in=applications.order_by().values(key=Cast("pk", CharField())),
        )
        .annotate(due=Subquery(deadline), on=Cast(TruncDate("at"), CharField()))
        .aggregate(
            decided=Count("pk", filter=Q(due__isnull=False)),
            in_time=Count("pk", filter=Q(due__isnull=False, on__lte=F("due"))),
        )
    )
    return Compliance(open_counts["open"], open_counts["overdue"], decisions["decided"], decisions["in_time"])


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
    grouped = {
        r["status"]: r
        for r in payments_in(scope, fiscal_year)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"), amount=Sum("amount"))
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
