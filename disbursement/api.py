"""Finance's API: budgets and disbursement, on the same services as the pages (awards.disbursement).

    GET, POST   /api/v1/budgets/                          ?fiscal_year= &incentive=   finance, administrators
    PATCH       /api/v1/budgets/                          {incentive, fiscal_year, allocation}
    GET, PATCH  /api/v1/budgets/{id}/                     {allocation}
    GET, POST   /api/v1/disbursements/                    ?status=; POST {department?, incentive?} builds a batch
    GET         /api/v1/disbursements/{id}/
    GET         /api/v1/disbursements/{id}/payments/
    POST        /api/v1/disbursements/{id}/approve/       a second finance officer (never the one who built it)
    GET         /api/v1/disbursements/{id}/payment-file/?format=csv|xlsx
    POST        /api/v1/disbursements/{id}/results/       multipart: file (CSV or XLSX), dry_run=true|false
                                                          (false: 202 and a job to poll)
    GET         /api/v1/disbursements/{id}/results/jobs/{job_id}/   a results job's progress
    POST        /api/v1/disbursements/{id}/payments/{reference}/cancel/   {reason}: a failed payment

Anonymous callers get 401, others than finance 403 (budgets: administrators too), unknown ids 404.
Refused input is 400; an action the batch's state does not allow is 409; a file over 5 MB is 413.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.identifiers import mask_account_number
from accounts.permissions import _FinanceAPI, signed_in_user
from measures.models import Department, Incentive
from portal.api import Conflict, ErrorSerializer
from portal.http import client_ip

from .models import DisbursementBatch, Payment, ResultsJob
from .resources import ResultsFileTooLarge, read_results_file
from .results import ResultsInvalid, ResultsReport, payment_results_check, results_job_start
from .selectors import batch_payments, batches_list, results_job_of
from .services import (
    REASON_MAX,
    DisbursementError,
    NotAllowed,
    NothingToPay,
    WrongState,
    batch_approve,
    batch_build,
    batch_discard,
    payment_cancel,
    payment_file_open,
)
from .views import XLSX_TYPE, payment_file_response

BATCH_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The batch's id.")


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = gettext_lazy("The file is too large.")
    default_code = "too_large"


def _as_api_error(error: DisbursementError) -> exceptions.APIException:
    if isinstance(error, ResultsFileTooLarge):
        return PayloadTooLarge(error.message)
    if isinstance(error, NotAllowed):
        return exceptions.PermissionDenied(error.message)
    if isinstance(error, WrongState):
        return Conflict(error.message)
    return exceptions.ValidationError({error.field or "non_field_errors": [error.message]})


class BatchSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    department = serializers.SerializerMethodField(help_text="The department filter's code, or null.")
    incentive = serializers.SerializerMethodField(help_text="The incentive filter's code, or null.")
    created_by = serializers.CharField(source="created_by.username")
    approved_by = serializers.SerializerMethodField()
    payment_count = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=20, decimal_places=2)
    paid_count = serializers.IntegerField()
    paid_total = serializers.DecimalField(max_digits=20, decimal_places=2)
    failed_count = serializers.IntegerField()
    pending_count = serializers.IntegerField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = DisbursementBatch
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "department",
            "incentive",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "payment_count",
            "total",
            "paid_count",
            "paid_total",
            "failed_count",
            "pending_count",
            "links",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_department(self, batch: DisbursementBatch) -> str | None:
        return batch.department.code if batch.department else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_incentive(self, batch: DisbursementBatch) -> str | None:
        return batch.incentive.code if batch.incentive else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_approved_by(self, batch: DisbursementBatch) -> str | None:
        return batch.approved_by.username if batch.approved_by else None

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_links(self, batch: DisbursementBatch) -> dict[str, str]:
        base = reverse("api-disbursement", args=[batch.pk])
        links = {"self": base, "payments": f"{base}payments/", "page": reverse("disbursement:batch", args=[batch.pk])}
        if batch.status == DisbursementBatch.Status.DRAFT:
            links["approve"] = f"{base}approve/"
        else:
            links["payment_file_csv"] = f"{base}payment-file/?format=csv"
            links["payment_file_xlsx"] = f"{base}payment-file/?format=xlsx"
            links["results"] = f"{base}results/"
        return links


class BatchQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DisbursementBatch.Status.choices, required=False)


class BatchBuildSerializer(serializers.Serializer):
    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="Only awards of incentives this department handles (its code).",
    )
    incentive = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Incentive.objects.all(),
        required=False,
        allow_null=True,
        help_text="Only awards of this incentive (its code).",
    )


class SkippedSerializer(serializers.Serializer):
    application = serializers.CharField()
    applicant = serializers.CharField()
    reason = serializers.CharField()
    code = serializers.ChoiceField(
        choices=["no_bank_account", "credit_listed"],
        help_text="no_bank_account, or credit_listed (the payee is on a list of seriously dishonest entities).",
    )


class BuiltBatchSerializer(serializers.Serializer):
    batch = BatchSerializer()
    skipped = SkippedSerializer(
        many=True, help_text="Final awards left out, with the reason (no bank account, or the payee is credit-listed)."
    )


class PaymentSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="award.application.reference")
    incentive = serializers.CharField(source="award.application.incentive.code")
    payee = serializers.CharField(source="payee_name")
    bank = serializers.CharField(source="bank_name")
    account_number = serializers.SerializerMethodField(help_text="Masked; the payment file has it in full.")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Payment
        fields = [
            "reference",
            "application",
            "incentive",
            "payee",
            "bank",
            "account_number",
            "amount",
            "status",
            "status_label",
            "paid_on",
            "bank_reference",
            "failure_reason",
        ]

    def get_account_number(self, payment: Payment) -> str:
        return mask_account_number(payment.account_number)


def _batch_or_404(pk: int) -> DisbursementBatch:
    return get_object_or_404(batches_list(), pk=pk)


class BatchListView(_FinanceAPI, generics.ListAPIView):
    serializer_class = BatchSerializer

    def get_queryset(self) -> QuerySet[DisbursementBatch]:
        if getattr(self, "swagger_fake_view", False):
            return DisbursementBatch.objects.none()
        query = BatchQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return batches_list(status=query.validated_data.get("status"))

    @extend_schema(summary="Disbursement batches", parameters=[BatchQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Build a batch",
        description=(
            "A draft batch of every final award waiting for payment, by department or incentive, each payment "
            "with the payee's bank account as it is now. Awards without a bank account are left out and listed. "
            "409 when no award can be paid."
        ),
        request=BatchBuildSerializer,
        responses={201: BuiltBatchSerializer},
    )
    def post(self, request: Request) -> Response:
        data = BatchBuildSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            built = batch_build(
                actor=signed_in_user(request),
                department=data.validated_data.get("department"),
                incentive=data.validated_data.get("incentive"),
            )
        except NothingToPay as nothing:
            return Response(
                {
                    "detail": nothing.message,
                    "code": "nothing_to_pay",
                    "errors": {},
                    "skipped": SkippedSerializer(nothing.skipped, many=True).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DisbursementError as refused:
            raise _as_api_error(refused) from None
        body = {
            "batch": BatchSerializer(_batch_or_404(built.batch.pk)).data,
            "skipped": SkippedSerializer(built.skipped, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class BatchDetailView(_FinanceAPI, APIView):
    @extend_schema(summary="One batch", parameters=[BATCH_ID], responses={200: BatchSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(BatchSerializer(_batch_or_404(pk)).data)


class BatchPaymentsView(_FinanceAPI, generics.ListAPIView):
    serializer_class = PaymentSerializer

    def get_queryset(self) -> QuerySet[Payment]:
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return batch_payments(_batch_or_404(self.kwargs["pk"]))

    @extend_schema(summary="A batch's payments", parameters=[BATCH_ID])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class BatchApproveView(_FinanceAPI, APIView):
    @extend_schema(
        summary="Approve a batch",
        description="A second finance officer approves; the one who built it gets 403. 409 when not a draft.",
        parameters=[BATCH_ID],
        request=None,
        responses={200: BatchSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            approved = batch_approve(actor=signed_in_user(request), batch=_batch_or_404(pk))
        except DisbursementError as refused:
            raise _as_api_error(refused) from None
        return Response(BatchSerializer(_batch_or_404(approved.pk)).data)


class BatchDiscardSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text="Why the draft is discarded.")


class BatchDiscardView(_FinanceAPI, APIView):
    @extend_schema(
        summary="Discard a draft batch",
        description="Any finance officer; its payments are cancelled and the awards wait for the next batch. "
        "409 when the batch is not a draft.",
        parameters=[BATCH_ID],
        request=BatchDiscardSerializer,
        responses={200: BatchSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = BatchDiscardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            discarded = batch_discard(
                actor=signed_in_user(request), batch=_batch_or_404(pk), reason=data.validated_data["reason"]
            )
        except DisbursementError as refused:
            raise _as_api_error(refused) from None
        return Response(BatchSerializer(_batch_or_404(discarded.pk)).data)


class PaymentFileView(_FinanceAPI, APIView):
    """?format= names the file's format here, not DRF's renderer: errors stay JSON."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        summary="The payment file of an approved batch",
        description=(
            "Columns: payment reference, payee, bank, account number, amount, application reference, incentive. "
            "CSV (UTF-8 with BOM) is streamed; XLSX written in write-only mode. Text cells beginning with "
            "= + - @ (or a tab or CR) start with an apostrophe. 409 while the batch is a draft."
        ),
        parameters=[
            BATCH_ID,
            OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "xlsx"], description="Default csv."),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            400: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        file_format = request.query_params.get("format", "csv")
        if file_format not in ("csv", "xlsx"):
            raise exceptions.ValidationError({"format": [_("Choose csv or xlsx.")]})
        batch = _batch_or_404(pk)
        try:
            rows = payment_file_open(actor=signed_in_user(request), batch=batch, file_format=file_format)
        except DisbursementError as refused:
            raise _as_api_error(refused) from None
        return payment_file_response(batch, rows, file_format)


class ResultsUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The bank's results: CSV or XLSX, up to 5 MB.")
    dry_run = serializers.BooleanField(
        required=False,
        default=True,
        help_text="true (default): report only; false: a job records every row (202), or none when a row is invalid.",
    )


class ResultRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The line in the file (the heading is line 1).")
    payment_reference = serializers.CharField(source="reference")
    status = serializers.CharField(help_text="As the file gives it.")
    outcome = serializers.ChoiceField(
        choices=["paid", "failed", "already_applied", "will_pay", "will_fail", "invalid"],
    )
    outcome_label = serializers.CharField()
    payee = serializers.CharField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    errors = serializers.DictField(  # type: ignore[assignment]  # a declared field: the metaclass takes it
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Column (payment_reference, status, paid_date, bank_reference, failure_reason, amount) → messages.",
    )


class ResultsReportSerializer(serializers.Serializer):
    batch = serializers.CharField(source="batch.number")
    batch_status = serializers.CharField(source="batch.status")
    dry_run = serializers.BooleanField()
    valid = serializers.BooleanField()
    applied = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())
    file_errors = serializers.ListField(child=serializers.CharField())
    rows = ResultRowSerializer(many=True)


def _row_errors(report: ResultsReport) -> dict[str, list[str]]:
    return {f"row {row.row}: {field}": list(messages) for row in report.rows for field, messages in row.errors.items()}


class ResultsJobSerializer(serializers.ModelSerializer):
    batch = serializers.CharField(source="batch.number")
    status_label = serializers.CharField(source="get_status_display")
    progress = serializers.IntegerField(help_text="Rows recorded, as a percentage.")
    errors = serializers.ListField(  # type: ignore[assignment]  # a declared field: the metaclass takes it
        child=serializers.DictField(),
        help_text="Rows the services refused when applied ({row, reference, message}); the others are recorded.",
    )
    url = serializers.SerializerMethodField(help_text="Poll this until the status is done or failed.")
    page = serializers.SerializerMethodField()

    class Meta:
        model = ResultsJob
        fields = [
            "id",
            "batch",
            "status",
            "status_label",
            "file_name",
            "total",
            "done",
            "progress",
            "paid",
            "failed",
            "already",
            "errors",
            "failure",
            "created_at",
            "started_at",
            "finished_at",
            "url",
            "page",
        ]

    def get_url(self, job: ResultsJob) -> str:
        return reverse("api-disbursement-results-job", args=[job.batch_id, job.pk])

    def get_page(self, job: ResultsJob) -> str:
        return reverse("disbursement:results_job", args=[job.batch_id, job.pk])


class ResultsView(_FinanceAPI, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import the bank's results",
        description=(
            "Each row: payment reference, status (paid/failed), paid date, bank reference, failure reason, "
            "amount (optional, checked). Headings and statuses may be Chinese or English "
            "(付款参考号/拨付编号, 状态, 支付日期, 银行流水号, 失败原因, 金额; "
            "已支付/支付成功, 支付失败/失败). A dry run (default) reports what each row would do (200). With "
            "dry_run=false the file is checked the same way: when any row is invalid nothing is applied (400, "
            "with `errors` keyed 'row N: column' and the rows); otherwise a job records the rows in the "
            "background (202, its `url` to poll, also in the Location header). A row already recorded changes "
            "nothing (already): importing a file twice pays nothing twice. 409 while another job runs for the batch."
        ),
        parameters=[BATCH_ID],
        request={"multipart/form-data": ResultsUploadSerializer},
        responses={
            200: ResultsReportSerializer,
            202: ResultsJobSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
            413: OpenApiResponse(ErrorSerializer, description="The file is larger than 5 MB."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = ResultsUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = _batch_or_404(pk)
        uploaded = data.validated_data["file"]
        actor = signed_in_user(request)
        try:
            dataset = read_results_file(uploaded)
            if data.validated_data["dry_run"]:
                report = payment_results_check(actor=actor, batch=batch, dataset=dataset)
            else:
                job = results_job_start(actor=actor, batch=batch, dataset=dataset, file_name=uploaded.name)
                body = ResultsJobSerializer(results_job_of(batch, job.pk)).data
                return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
        except ResultsInvalid as invalid:
            report = invalid.report
            if report.file_errors:
                raise exceptions.ValidationError({"file": report.file_errors}) from None
            return Response(
                {
                    "detail": invalid.message,
                    "code": "invalid",
                    "errors": _row_errors(report),
                    **ResultsReportSerializer(report).data,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        except DisbursementError as refused:
            raise _as_api_error(refused) from None
        if report.file_errors:
            raise exceptions.ValidationError({"file": report.file_errors})
        return Response(ResultsReportSerializer(report).data)


class ResultsJobView(_FinanceAPI, APIView):
    @extend_schema(
        summary="A results job's progress",
        parameters=[BATCH_ID, OpenApiParameter("job_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: ResultsJobSerializer},
    )
    def get(self, request: Request, pk: int, job_id: int) -> Response:
        try:
            job = results_job_of(_batch_or_404(pk), job_id)
        except ResultsJob.DoesNotExist:
            raise exceptions.NotFound() from None
        return Response(ResultsJobSerializer(job).data)


class PaymentCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text="Why the failed payment is not retried.")


class PaymentCancelView(_FinanceAPI, APIView):
    @extend_schema(
        summary="Cancel a failed payment",
        description=(
            "A failed payment that will not be retried: the award ends, its amount goes back to the budget, its "
            "claim's keys are freed and the applicant is told. 409 unless the payment failed and its award waits "
            "(a retried or paid award cannot be cancelled). To retry instead, build a new batch: the award is in it."
        ),
        parameters=[BATCH_ID, OpenApiParameter("reference", OpenApiTypes.STR, OpenApiParameter.PATH)],
        request=PaymentCancelSerializer,
        responses={200: PaymentSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, pk: int, reference: str) -> Response:
        data = PaymentCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = _batch_or_404(pk)
        payment = get_object_or_404(Payment, batch=batch, reference=reference)
        try:
            payment_cancel(
                actor=signed_in_user(request),
                payment=payment,
                reason=data.validated_data["reason"],
                ip_address=client_ip(request),
            )
        except DisbursementError as refused:
            raise _as_api_error(refused) from None
        return Response(PaymentSerializer(batch_payments(batch).get(pk=payment.pk)).data)


api_urlpatterns = [
    path("disbursements/", BatchListView.as_view(), name="api-disbursements"),
    path("disbursements/<int:pk>/", BatchDetailView.as_view(), name="api-disbursement"),
    path("disbursements/<int:pk>/payments/", BatchPaymentsView.as_view(), name="api-disbursement-payments"),
    path("disbursements/<int:pk>/approve/", BatchApproveView.as_view(), name="api-disbursement-approve"),
    path("disbursements/<int:pk>/discard/", BatchDiscardView.as_view(), name="api-disbursement-discard"),
    path("disbursements/<int:pk>/payment-file/", PaymentFileView.as_view(), name="api-disbursement-payment-file"),
    path("disbursements/<int:pk>/results/", ResultsView.as_view(), name="api-disbursement-results"),
    path(
        "disbursements/<int:pk>/results/jobs/<int:job_id>/",
        ResultsJobView.as_view(),
        name="api-disbursement-results-job",
    ),
    path(
        "disbursements/<int:pk>/payments/<str:reference>/cancel/",
        PaymentCancelView.as_view(),
        name="api-disbursement-payment-cancel",
    ),
]
