"""Reads of disbursement shared by the pages and the API: what can be paid, batches, payments."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.identifiers import mask_account_number
from applications.models import Application, Notice
from applications.models import Status as ApplicationStatus
from applications.notices import amount_in_words
from awards.models import Award
from measures.models import Department, Incentive

from .models import DisbursementBatch, Payment, ResultsJob


def _pending_or_paid(award_ref: Any) -> Exists:
    return Exists(Payment.objects.filter(award=award_ref, status__in=[Payment.Status.PENDING, Payment.Status.PAID]))


def eligible_awards(*, department: Department | None = None, incentive: Incentive | None = None) -> QuerySet[Award]:
    """Final awards waiting for payment: the award is final, the application final (or its payment
    failed and it waits for a retry), and no payment is pending or paid."""
    awards = Award.objects.filter(
        status=Award.Status.FINAL, application__status__in=PAYABLE_APPLICATION_STATUSES
    ).exclude(_pending_or_paid(OuterRef("pk")))
    if department is not None:
        awards = awards.filter(application__incentive__handling_department=department)
    if incentive is not None:
        awards = awards.filter(application__incentive=incentive)
    return awards


def eligible_preview(*, department: Department | None = None, incentive: Incentive | None = None) -> QuerySet[Award]:
    """The awards a batch with these filters would take, with what the page shows of each."""
    return (
        eligible_awards(department=department, incentive=incentive)
        .select_related(
            "application__applicant__bank_account",
            "application__incentive",
        )
        .order_by("application__reference", "pk")
    )


def eligible_summary(*, department: Department | None = None, incentive: Incentive | None = None) -> dict[str, Any]:
    money_field = DecimalField(max_digits=20, decimal_places=2)
    return eligible_awards(department=department, incentive=incentive).aggregate(
        count=Count("pk"),
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=money_field),
        without_account=Count("pk", filter=Q(application__applicant__bank_account__isnull=True)),
    )


def batches_list(*, status: str | None = None) -> QuerySet[DisbursementBatch]:
    money_field = DecimalField(max_digits=20, decimal_places=2)
    batches = DisbursementBatch.objects.select_related("department", "incentive", "created_by", "approved_by").annotate(
        payment_count=Count("payments"),
        total=Coalesce(Sum("payments__amount"), Value(ZERO), output_field=money_field),
        paid_count=Count("payments", filter=Q(payments__status=Payment.Status.PAID)),
        failed_count=Count("payments", filter=Q(payments__status=Payment.Status.FAILED)),
        pending_count=Count("payments", filter=Q(payments__status=Payment.Status.PENDING)),
        paid_total=Coalesce(
            Sum("payments__amount", filter=Q(payments__status=Payment.Status.PAID)),
            Value(ZERO),
            output_field=money_field,
        ),
    )
    if status:
        batches = batches.filter(status=status)
    return batches.order_by("-created_at", "-pk")


def batch_get(pk: int) -> DisbursementBatch:
    """One batch with its figures; DisbursementBatch.DoesNotExist when there is none."""
    return batches_list().get(pk=pk)


def batch_payments(batch: DisbursementBatch) -> QuerySet[Payment]:
    """The batch's payments; a failed one says whether its award is in a batch again (`retried`)."""
    again = Payment.objects.filter(award=OuterRef("award"), status__in=[Payment.Status.PENDING, Payment.Status.PAID])
    return (
        Payment.objects.filter(batch=batch)
        .select_related("award__application__incentive", "award__application__applicant")
        .annotate(retried=Exists(again))
        .order_by("reference")
    )


def results_job_of(batch: DisbursementBatch, job_id: int) -> ResultsJob:
    """The batch's results job (ResultsJob.DoesNotExist when it has none of that id)."""
    return ResultsJob.objects.select_related("batch", "requested_by").defer("rows").get(batch=batch, pk=job_id)


def payment_file_rows(batch: DisbursementBatch) -> Iterator[tuple[Any, ...]]:
    """The payment file's rows in the order of PAYMENT_FILE_HEADERS, read in chunks; the incentive
    last in Chinese and in English (the payment file keeps the language of the request)."""
    return (
        Payment.objects.filter(batch=batch)
        .order_by("reference")
        .values_list(
            "reference",
            "payee_name",
            "bank_name",
            "account_number",
            "amount",
            "award__application__reference",
            "award__application__incentive__name",
            "award__application__incentive__name_en",
        )
        .iterator(chunk_size=2000)
    )


ZERO = Decimal("0.00")


PAYABLE_APPLICATION_STATUSES = (ApplicationStatus.FINAL, ApplicationStatus.PAYMENT_FAILED)


def disbursement_notice_facts(*, kind: str, application: Application, event: Any = None) -> dict[str, Any] | None:
    """Connected to `applications.hooks.notice_facts`: what the disbursement notice (拨付通知书)
    prints about the paid payment; None for other notices or before anything is paid."""
    if kind != Notice.Kind.DISBURSEMENT:
        return None
    payment = (
        Payment.objects.filter(award__application=application, status=Payment.Status.PAID)
        .select_related("batch")
        .first()
    )
    if payment is None:
        return None
    return {
        "amount": str(payment.amount),
        "amount_in_words": amount_in_words(payment.amount),
        "paid_on": payment.paid_on.isoformat() if payment.paid_on else None,
        "bank_name": payment.bank_name,
        # Personal or commercial information: only the last four digits are printed.
        "account_number": mask_account_number(payment.account_number),
        "bank_reference": payment.bank_reference,
        "batch": payment.batch.number,
    }
