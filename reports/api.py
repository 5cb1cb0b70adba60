"""Reports over the API, on the same selectors and services as the pages.

    GET  /api/v1/reports/                                  the reports and their formats
    GET  /api/v1/reports/{name}/?format=csv|xlsx|pdf&fiscal_year=   a download (JSON without format)
    POST /api/v1/reports/{name}/exports/ {format, fiscal_year?}     202: an export job (Celery)
    GET  /api/v1/reports/exports/{id}/                     the job's status and progress
    GET  /api/v1/reports/exports/{id}/download/            its file (the requester and administrators)
    GET  /api/v1/reports/dashboard/?fiscal_year=YEAR|all  the dashboard for the caller's role (default: this year)
    GET  /api/v1/reports/targets/                          public: targets with their latest progress
    GET  /api/v1/reports/targets/{code}/progress/          public: a target's entries
    POST /api/v1/reports/targets/{code}/progress/ {count, as_of, evidence?}   officials of its department

Finance and administrators see every department; department officials their own; others 403.
The `format` query parameter is DRF's own format suffix: the download renderers below only
announce the media types, the files are Django responses (streamed).
"""

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBase
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from measures.models import Target
from portal.api import Pagination

from .dashboards import dashboard_for
from .exports import CONTENT_TYPES, REPORTS, ReportError, export_response
from .models import ExportJob
from .scope import ReportScope, report_scope
from .selectors import (
    LEDGER_FIELDS,
    current_fiscal_year,
    export_job_for,
    ledger_queryset,
    summary_rows,
    summary_totals,
)
from .services import export_job_create, export_record, report_spec, target_progress_record
from .targets import TargetRow, target_by_code, targets_with_progress


class _DownloadRenderer(BaseRenderer):
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return json.dumps(data, ensure_ascii=False, default=str).encode()


class CSVRenderer(_DownloadRenderer):
    media_type, format = "text/csv", "csv"


class XLSXRenderer(_DownloadRenderer):
    media_type, format = CONTENT_TYPES["xlsx"], "xlsx"


class PDFRenderer(_DownloadRenderer):
    media_type, format = "application/pdf", "pdf"


class DownloadMixin:
    """Errors are JSON whatever format was asked for; an unknown format is a 400, not a 404."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except (exceptions.NotFound, Http404):
            raise exceptions.ValidationError({"format": [_("Choose csv, xlsx or pdf.")]}) from None

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and renderer is not None and not isinstance(renderer, JSONRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


def _scope(request: Request) -> ReportScope:
    try:
        return report_scope(request.user)
    except PermissionDenied:
        raise exceptions.PermissionDenied(
            _("Only finance, administrators and department officials read reports.")
        ) from None


def _invalid(error: ReportError) -> exceptions.ValidationError:
    return exceptions.ValidationError({error.field or "non_field_errors": [error.message]}, code=error.code)


def _fiscal_year(request: Request) -> int | None:
    value = request.query_params.get("fiscal_year", "")
    if not value:
        return None
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise exceptions.ValidationError({"fiscal_year": [_("Enter a fiscal year between 2000 and 2100.")]})
    return int(value)


class ReportInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())


class SummaryRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    awards = serializers.IntegerField()
    committed = serializers.DecimalField(max_digits=18, decimal_places=2)
    paid = serializers.DecimalField(max_digits=18, decimal_places=2)
    paid_count = serializers.IntegerField(help_text="Awards paid.")


class SummaryTableSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    rows = SummaryRowSerializer(many=True)
    totals = SummaryRowSerializer()


class SummaryReportSerializer(serializers.Serializer):
    report = serializers.CharField()
    fiscal_year = serializers.IntegerField(allow_null=True)
    tables = SummaryTableSerializer(many=True)


LEDGER_KEYS = (
    "reference",
    "batch",
    "status",
    "paid_on",
    "payee",
    "bank",
    "bank_reference",
    "amount",
    "application",
    "incentive",
    "incentive_name",
    "measure",
    "department",
    "city",
    "fiscal_year",
    "failure_reason",
    "recovered",
)


assert len(LEDGER_KEYS) == len(LEDGER_FIELDS)


class LedgerRowSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="The payment's reference.")
    batch = serializers.CharField()
    status = serializers.CharField(help_text="pending, paid or failed.")
    paid_on = serializers.DateField(allow_null=True)
    payee = serializers.CharField()
    bank = serializers.CharField()
    bank_reference = serializers.CharField(allow_blank=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    application = serializers.CharField(allow_null=True)
    incentive = serializers.CharField()
    incentive_name = serializers.CharField()
    measure = serializers.IntegerField()
    department = serializers.CharField()
    city = serializers.CharField(allow_blank=True)
    fiscal_year = serializers.IntegerField()
    failure_reason = serializers.CharField(allow_blank=True)
    recovered = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Refunded of a paid payment after a recovery decision (追回)."
    )


class LedgerPageSerializer(serializers.Serializer):
    """The ledger as JSON: a page of payments (portal.api.Pagination), unlike the other reports' tables."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = LedgerRowSerializer(many=True)


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "xlsx", "pdf"])
    fiscal_year = serializers.IntegerField(required=False, allow_null=True, min_value=2000, max_value=2100)


class ExportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "report",
            "format",
            "fiscal_year",
            "status",
            "progress",
            "row_count",
            "total_rows",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "url",
            "download_url",
        ]

    def get_url(self, job: ExportJob) -> str:
        return reverse("reports-api-export", args=[job.pk])

    def get_download_url(self, job: ExportJob) -> str | None:
        return reverse("reports-api-export-download", args=[job.pk]) if job.status == job.Status.DONE else None


class CountRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label: the metaclass takes it
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


class StageRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The status the stage was in (a timed status).")
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    ended = serializers.IntegerField(help_text="Stages of this status that ended.")
    average_days = serializers.FloatField(allow_null=True)
    timed = serializers.IntegerField(help_text="Of those, stages that ended with a time limit running.")
    in_time = serializers.IntegerField(help_text="Of those, stages that ended within their time limit.")
    in_time_percent = serializers.FloatField(allow_null=True)


class ActivityDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    submitted = serializers.IntegerField()
    accepted = serializers.IntegerField()
    decided = serializers.IntegerField(help_text="Review decisions: propose support, not support, handled.")


class ComplianceSerializer(serializers.Serializer):
    open = serializers.IntegerField(help_text="Open applications (submitted to proposed).")
    overdue = serializers.IntegerField(help_text="Open applications past their stage's due date.")
    overdue_percent = serializers.FloatField(allow_null=True)
    decided = serializers.IntegerField(help_text="Review decisions whose deadline is on record.")
    decided_in_time = serializers.IntegerField()
    in_time_percent = serializers.FloatField(allow_null=True)
    stages = StageRowSerializer(many=True)


class BudgetRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    measure = serializers.IntegerField()
    allocation = serializers.DecimalField(max_digits=18, decimal_places=2)
    committed = serializers.DecimalField(max_digits=18, decimal_places=2)
    paid = serializers.DecimalField(max_digits=18, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=18, decimal_places=2)


class TargetRowSerializer(serializers.Serializer):
    code = serializers.CharField(source="target.code")
    measure = serializers.IntegerField(source="target.measure.number")
    description = serializers.SerializerMethodField()
    department = serializers.CharField(source="target.department.code")
    department_name = serializers.SerializerMethodField()
    quantity = serializers.IntegerField(source="target.quantity")
    unit = serializers.SerializerMethodField()
    latest = serializers.IntegerField(allow_null=True)
    latest_as_of = serializers.DateField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)

    def get_description(self, row: TargetRow) -> str:
        return row.target.localized("description")

    def get_department_name(self, row: TargetRow) -> str:
        return row.target.department.localized("name")

    def get_unit(self, row: TargetRow) -> str:
        return row.target.localized("unit")


class DashboardSerializer(serializers.Serializer):
    role = serializers.CharField(source="scope.role")
    department = serializers.IntegerField(source="scope.department_id", allow_null=True)
    fiscal_year = serializers.IntegerField(allow_null=True)
    sections = serializers.ListField(child=serializers.CharField())
    totals = SummaryRowSerializer()
    applications_by_status = CountRowSerializer(source="by_status", many=True)
    applications_by_stage = CountRowSerializer(source="by_stage", many=True)
    compliance = ComplianceSerializer(allow_null=True)
    activity = ActivityDaySerializer(
        many=True, help_text="Each of the last 30 days (oldest first), whatever the fiscal year asked for."
    )
    budgets = BudgetRowSerializer(many=True)
    payments_by_status = CountRowSerializer(source="payments", many=True)
    cities = SummaryRowSerializer(many=True)
    targets = TargetRowSerializer(many=True)


class TargetProgressSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0, max_value=10_000_000)
    as_of = serializers.DateField()
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    recorded_at = serializers.DateTimeField(read_only=True)


NAME = OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(REPORTS))


FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["csv", "xlsx", "pdf"], description="Omit for JSON."
)


FISCAL_YEAR = OpenApiParameter(
    "fiscal_year", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Every year if omitted."
)


class ReportListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ReportInfoSerializer(many=True), summary="The reports and their formats")
    def get(self, request: Request) -> Response:
        _scope(request)
        data = [{"name": s.name, "title": str(s.title), "formats": list(s.formats)} for s in REPORTS.values()]
        return Response(ReportInfoSerializer(data, many=True).data)


class ReportView(DownloadMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer, PDFRenderer]

    @extend_schema(
        parameters=[NAME, FORMAT, FISCAL_YEAR],
        responses={
            (200, "application/json"): PolymorphicProxySerializer(
                component_name="Report",
                serializers=[SummaryReportSerializer, LedgerPageSerializer],
                resource_type_field_name=None,
            ),
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
        summary="A report: a file (csv, xlsx, pdf) or JSON (the ledger is paginated)",
    )
    def get(self, request: Request, name: str) -> HttpResponseBase:
        scope = _scope(request)
        if name not in REPORTS:
            raise Http404
        fiscal_year = _fiscal_year(request)
        fmt = request.accepted_renderer.format
        if fmt == "json":
            return self._json(request, name, scope, fiscal_year)
        try:
            spec = report_spec(name, fmt)
            response = export_response(spec, fmt, scope, fiscal_year)
        except ReportError as error:
            raise _invalid(error) from None
        export_record(actor=request.user, report=name, fmt=fmt, fiscal_year=fiscal_year, scope=scope)  # type: ignore[arg-type]
        return response

    def _json(self, request: Request, name: str, scope: ReportScope, fiscal_year: int | None) -> Response:
        spec = REPORTS[name]
        if spec.is_ledger:
            paginator = Pagination()
            rows = ledger_queryset(scope, fiscal_year).values_list(*LEDGER_FIELDS)
            page = paginator.paginate_queryset(rows, request, view=self) or []
            data = [dict(zip(LEDGER_KEYS, row, strict=True)) for row in page]
            return paginator.get_paginated_response(LedgerRowSerializer(data, many=True).data)
        tables = [
            {
                "dimension": d,
                "rows": summary_rows(scope, d, fiscal_year),
                "totals": summary_totals(scope, fiscal_year),
            }
            for d in spec.dimensions
        ]
        return Response(SummaryReportSerializer({"report": name, "fiscal_year": fiscal_year, "tables": tables}).data)


class ExportCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[NAME],
        request=ExportRequestSerializer,
        responses={202: ExportJobSerializer},
        summary="Prepare a report in the background (Celery); poll the job, then download",
    )
    def post(self, request: Request, name: str) -> Response:
        _scope(request)
        if name not in REPORTS:
            raise Http404
        body = ExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            job = export_job_create(
                actor=request.user,  # type: ignore[arg-type]
                report=name,
                fmt=body.validated_data["format"],
                fiscal_year=body.validated_data.get("fiscal_year"),
            )
        except ReportError as error:
            raise _invalid(error) from None
        job.refresh_from_db()  # the task may have run already (eager mode)
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportJobView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ExportJobSerializer, summary="An export job's status and progress")
    def get(self, request: Request, job_id: int) -> Response:
        return Response(ExportJobSerializer(export_job_for(request.user, job_id)).data)


class ExportDownloadView(DownloadMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer, PDFRenderer]

    @extend_schema(
        # The file in the job's format.
        responses={(200, media_type): OpenApiTypes.BINARY for media_type in CONTENT_TYPES.values()},
        summary="An export job's file (the requester and administrators only)",
    )
    def get(self, request: Request, job_id: int) -> HttpResponseBase:
        job = export_job_for(request.user, job_id)
        if job.status != job.Status.DONE or not job.file:
            raise exceptions.NotFound(_("The file is not ready."))
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format]
        )


DASHBOARD_YEAR = OpenApiParameter(
    "fiscal_year",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="A year (2000-2100), or `all` for every year; the current fiscal year if omitted.",
)


def _dashboard_year(request: Request) -> int | None:
    value = request.query_params.get("fiscal_year", "")
    if value == "all":
        return None
    return _fiscal_year(request) if value else current_fiscal_year()


class DashboardView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[DASHBOARD_YEAR], responses=DashboardSerializer, summary="The dashboard for the caller's role"
    )
    def get(self, request: Request) -> Response:
        scope = _scope(request)
        return Response(DashboardSerializer(dashboard_for(scope, _dashboard_year(request))).data)


class TargetListView(APIView):
    permission_classes = [permissions.AllowAny]
    pagination_class = Pagination  # the schema then describes the page, not a bare array

    @extend_schema(responses=TargetRowSerializer(many=True), summary="The policy's targets with their latest progress")
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(targets_with_progress(), request, view=self)
        return paginator.get_paginated_response(TargetRowSerializer(page, many=True).data)


class TargetProgressView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = Pagination

    def _row(self, code: str) -> TargetRow:
        try:
            return target_by_code(code)
        except Target.DoesNotExist:
            raise Http404 from None

    @extend_schema(responses=TargetProgressSerializer(many=True), summary="A target's recorded progress")
    def get(self, request: Request, code: str) -> Response:
        entries = self._row(code).entries
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response(TargetProgressSerializer(page, many=True).data)

    @extend_schema(
        request=TargetProgressSerializer,
        responses={201: TargetProgressSerializer},
        summary="Record a target's progress (officials of its responsible department)",
    )
    def post(self, request: Request, code: str) -> Response:
        row = self._row(code)
        body = TargetProgressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            entry = target_progress_record(
                actor=request.user,  # type: ignore[arg-type]
                target=row.target,
                count=body.validated_data["count"],
                as_of=body.validated_data["as_of"],
                evidence=body.validated_data.get("evidence", ""),
            )
        except PermissionDenied:
            raise exceptions.PermissionDenied(
                _("Only officials of the responsible department record this target's progress.")
            ) from None
        except ReportError as error:
            raise _invalid(error) from None
        return Response(TargetProgressSerializer(entry).data, status=status.HTTP_201_CREATED)


api_urlpatterns: list[Any] = [
    path("reports/", ReportListView.as_view(), name="reports-api-list"),
    path("reports/dashboard/", DashboardView.as_view(), name="reports-api-dashboard"),
    path("reports/targets/", TargetListView.as_view(), name="reports-api-targets"),
    path("reports/targets/<slug:code>/progress/", TargetProgressView.as_view(), name="reports-api-target-progress"),
    path("reports/exports/<int:job_id>/", ExportJobView.as_view(), name="reports-api-export"),
    path("reports/exports/<int:job_id>/download/", ExportDownloadView.as_view(), name="reports-api-export-download"),
    path("reports/<slug:name>/", ReportView.as_view(), name="reports-api-report"),
    path("reports/<slug:name>/exports/", ExportCreateView.as_view(), name="reports-api-export-create"),
]
