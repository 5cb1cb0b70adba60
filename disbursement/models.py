"""Disbursement (拨付): batches of final awards and the payments in them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from awards.models import Award
from measures.models import Department, Incentive
from portal.workflow import JobStatus


class DisbursementBatch(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        CLOSED = "closed", _("Results recorded")
        DISCARDED = "discarded", _("Discarded")

    number = models.CharField(_("batch number"), max_length=30, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("disbursement batch")
        verbose_name_plural = _("disbursement batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    """One transfer of an award, in a batch. An award is paid at most once (a partial unique
    constraint), and is in at most one batch still waiting for the bank."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled with its batch")

    batch = models.ForeignKey(DisbursementBatch, on_delete=models.PROTECT, related_name="payments")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments")
    reference = models.CharField(_("payment reference"), max_length=40, unique=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)
    # The payee as it was when the batch was built: the bank pays what the file says.
    payee_name = models.CharField(_("payee"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["award"], condition=Q(status="paid"), name="award_paid_once"),
            models.UniqueConstraint(fields=["award"], condition=Q(status="pending"), name="award_pending_once"),
        ]

    def __str__(self) -> str:
        return self.reference


class ResultsJob(models.Model):
    """Applying a bank's results file to a batch, in the background (a Celery task).

    The file is checked in the request (the preview); confirming stores its valid rows here and
    starts the task, which applies each row in its own transaction together with the job's
    progress: a crash loses nothing, and running the job again resumes after the last row applied
    (a row applied twice changes nothing: the payment's result is recorded once).
    """

    Status = JobStatus

    batch = models.ForeignKey(DisbursementBatch, on_delete=models.PROTECT, related_name="results_jobs")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    # The file's rows as checked: {"row", "payment", "reference", "status", "paid_on", "bank_reference",
    # "failure_reason", "amount"}; the task applies them in this order.
    rows = models.JSONField(_("rows to apply"), default=list)
    total = models.PositiveIntegerField(_("rows to apply"), default=0)
    done = models.PositiveIntegerField(_("rows applied"), default=0)
    paid = models.PositiveIntegerField(_("recorded as paid"), default=0)
    failed = models.PositiveIntegerField(_("recorded as failed"), default=0)
    already = models.PositiveIntegerField(_("already recorded"), default=0)
    # Rows the services refused when applied (the file was checked, but a payment may have changed
    # since): {"row", "reference", "message"}; the other rows are applied all the same.
    errors = models.JSONField(_("rows refused"), default=list, blank=True)
    failure = models.CharField(_("why the job stopped"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")  # of the messages it records
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bank results job")
        verbose_name_plural = _("bank results jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(done__lte=F("total")), name="results_job_done_within_total")]

    def __str__(self) -> str:
        return f"{self.batch.number} results #{self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def progress(self) -> int:
        """Rows applied, as a whole percentage (100 when there was nothing to apply)."""
        return self.done * 100 // self.total if self.total else 100
