"""The reports pages, under /reports/ (app_name "reports").

    /reports/                              exports: download now, or prepare in the background
    /reports/download/<name>/?format=&fiscal_year=    a direct download
    /reports/exports/                      my export jobs
    /reports/exports/<id>/                 a job's progress (refreshes itself while it runs)
    /reports/exports/<id>/download/        its file: the requester and administrators only
    /reports/dashboard/                    the dashboard for the reader's role
    /reports/targets/                      public: the policy's targets and their progress
    /reports/targets/<code>/               public: one target's entries and trend
    /reports/targets/<code>/record/        officials of the responsible department record progress
    /reports/audit-heads/                  administrators: the audit trail's published daily heads

Views parse input, call a selector (awards.reports) or a service (awards.report_services) and
render; readers who may not read reports get 403, others' export jobs are 404.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import administrator_required, signed_in_user
from audit.selectors import audit_head, published_heads
from measures.models import Target

from . import charts
from .dashboards import Dashboard, dashboard_for
from .exports import CONTENT_TYPES, REPORTS, ReportError, export_response
from .forms import ExportForm, TargetProgressForm, YearForm
from .scope import ReportScope, may_record_progress, report_scope
from .selectors import current_fiscal_year, export_job_for, export_jobs_of, fiscal_years
from .services import export_job_create, export_record, target_progress_record
from .targets import target_by_code, targets_with_progress

REFRESH_SECONDS = 2


def _index_context(request: HttpRequest, scope: ReportScope, form: ExportForm | None = None) -> dict[str, Any]:
    return {
        "scope": scope,
        "form": form or ExportForm(initial={"report": "ledger", "format": "csv"}),
        "reports": list(REPORTS.values()),
        "jobs": list(export_jobs_of(request.user)[:10]),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = report_scope(request.user)
    return render(request, "reports/index.html", _index_context(request, scope))


@login_required
@never_cache
def download(request: HttpRequest, name: str) -> HttpResponseBase:
    scope = report_scope(request.user)
    if name not in REPORTS:
        raise Http404
    form = ExportForm({"report": name, "format": request.GET.get("format", "csv"), **_year(request.GET)})
    if form.is_valid():
        data = form.cleaned_data
        try:
            return _direct(request, scope, name, data["format"], data["fiscal_year"])
        except ReportError as error:
            form.add_error(error.field or None, error.message)
    return render(request, "reports/index.html", _index_context(request, scope, form), status=400)


def _year(query: Any) -> dict[str, str]:
    value = query.get("fiscal_year", "")
    return {"fiscal_year": value} if value else {}


@login_required
@require_POST
def export_create(request: HttpRequest) -> HttpResponseBase:
    """The export form: "Prepare in the background" makes a job; "Download now" answers with the file."""
    scope = report_scope(request.user)
    form = ExportForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "download":
                return _direct(request, scope, data["report"], data["format"], data["fiscal_year"])
            job = export_job_create(
                actor=signed_in_user(request),
                report=data["report"],
                fmt=data["format"],
                fiscal_year=data["fiscal_year"],
            )
        except ReportError as error:
            form.add_error(error.field or None, error.message)
        else:
            return redirect("reports:export", job_id=job.pk)
    return render(request, "reports/index.html", _index_context(request, scope, form), status=400)


def _direct(request: HttpRequest, scope: ReportScope, name: str, fmt: str, fiscal_year: int | None) -> HttpResponseBase:
    response = export_response(REPORTS[name], fmt, scope, fiscal_year)
    export_record(actor=signed_in_user(request), report=name, fmt=fmt, fiscal_year=fiscal_year, scope=scope)
    return response


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    scope = report_scope(request.user)
    return render(request, "reports/exports.html", {"scope": scope, "jobs": list(export_jobs_of(request.user)[:50])})


@login_required
@never_cache
def export_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = export_job_for(request.user, job_id)
    return render(
        request,
        "reports/export_job.html",
        {"job": job, "spec": REPORTS.get(job.report), "refresh": REFRESH_SECONDS if job.is_running else None},
    )


@login_required
@never_cache
def export_download(request: HttpRequest, job_id: int) -> HttpResponseBase:
    job = export_job_for(request.user, job_id)
    if job.status != job.Status.DONE or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format]
    )


# Paid money is green, failed red, money still on its way amber: never one colour for all.
PAYMENT_COLOURS = {"paid": charts.GREEN, "failed": charts.RED, "pending": charts.AMBER, "cancelled": charts.GREY}


def dashboard_charts(board: Dashboard) -> dict[str, Any]:
    """The dashboard's charts as inline SVG (figures in tables beside them)."""
    committed, paid = _("Committed"), _("Paid")
    out: dict[str, Any] = {}
    if board.by_stage:
        out["stages"] = charts.bar_chart(
            title=_("Applications by stage"),
            labels=[r.label for r in board.by_stage],
            series=[charts.Series(_("Applications"), [r.count for r in board.by_stage])],
            width=320,
            label_width=150,
            value_width=40,
        )
    if board.by_status:
        out["statuses"] = charts.bar_chart(
            title=_("Applications by status"),
            labels=[r.label for r in board.by_status],
            series=[charts.Series(_("Applications"), [r.count for r in board.by_status])],
            width=320,
            label_width=150,
            value_width=40,
        )
    if any(day.submitted for day in board.activity):
        out["activity"] = charts.line_chart(
            title=_("Applications submitted per day, last 30 days"),
            points=[(day.day, day.submitted) for day in board.activity],
            width=320,
            height=120,
        )
    if board.budgets:
        out["budgets"] = charts.bar_chart(
            title=_("Committed and paid against the allocation, per incentive"),
            labels=[b.name for b in board.budgets],
            series=[
                charts.Series(paid, [b.paid for b in board.budgets], charts.GREEN),
                charts.Series(committed, [b.committed for b in board.budgets], charts.BLUE),
            ],
            track=[b.allocation for b in board.budgets],
            track_name=_("Allocation"),
            money=True,
            label_width=260,
        )
    if board.payments:
        out["payments"] = charts.bar_chart(
            title=_("Payments by status (amount)"),
            labels=[r.label for r in board.payments],
            series=[
                charts.Series(
                    _("Amount"),
                    [r.amount or 0 for r in board.payments],
                    colours=[PAYMENT_COLOURS.get(r.key, charts.GREY) for r in board.payments],
                )
            ],
            money=True,
            width=320,
            label_width=70,
            value_width=70,
        )
    if board.cities:
        out["cities"] = charts.bar_chart(
            title=_("Amounts by city"),
            labels=[r.name for r in board.cities],
            series=[
                charts.Series(paid, [r.paid for r in board.cities], charts.GREEN),
                charts.Series(committed, [r.committed for r in board.cities], charts.BLUE),
            ],
            money=True,
            label_width=140,
        )
    return out


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = report_scope(request.user)
    form = YearForm(request.GET or None, years=fiscal_years(scope), current=current_fiscal_year())
    board = dashboard_for(scope, form.chosen_year())
    return render(
        request,
        "reports/dashboard.html",
        {"board": board, "charts": dashboard_charts(board), "form": form, "scope": scope},
    )


def targets(request: HttpRequest) -> HttpResponse:
    rows = targets_with_progress(with_entries=True)
    trends = {
        row.target.pk: charts.line_chart(
            title=_("Progress of “%(target)s”") % {"target": row.target.localized("description")},
            points=[(e.as_of, e.count) for e in row.entries],
            target=row.target.quantity,
            width=240,
            height=90,
        )
        for row in rows
    }
    return render(request, "reports/targets.html", {"rows": [(row, trends[row.target.pk]) for row in rows]})


def _target_or_404(code: str) -> Any:
    try:
        return target_by_code(code)
    except Target.DoesNotExist:
        raise Http404 from None


def target_detail(request: HttpRequest, code: str) -> HttpResponse:
    row = _target_or_404(code)
    trend = charts.line_chart(
        title=_("Progress of “%(target)s”") % {"target": row.target.localized("description")},
        points=[(e.as_of, e.count) for e in row.entries],
        target=row.target.quantity,
        width=640,
        height=220,
    )
    return render(
        request,
        "reports/target_detail.html",
        {"row": row, "trend": trend, "may_record": may_record_progress(request.user, row.target)},
    )


@login_required
def target_record(request: HttpRequest, code: str) -> HttpResponse:
    row = _target_or_404(code)
    if not may_record_progress(request.user, row.target):
        raise PermissionDenied
    form = TargetProgressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target_progress_record(
                actor=signed_in_user(request),
                target=row.target,
                count=data["count"],
                as_of=data["as_of"],
                evidence=data["evidence"],
            )
        except ReportError as error:
            form.add_error(error.field or None, error.message)
        else:
            messages.success(
                request,
                _("Progress recorded: %(count)s as of %(day)s.") % {"count": data["count"], "day": data["as_of"]},
            )
            return redirect(reverse("reports:target", args=[row.target.code]))
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/target_record.html", {"row": row, "form": form}, status=status)


@administrator_required
def audit_heads(request: HttpRequest) -> HttpResponse:
    """For administrators (who audit the trail): the heads published each day, to keep or compare
    with the digest, and the command that checks the trail still reaches them."""
    page = Paginator(published_heads(), 50).get_page(request.GET.get("page"))
    return render(request, "reports/audit_heads.html", {"page": page, "heads": page.object_list, "head": audit_head()})
