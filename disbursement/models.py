"""Disbursement (拨付): batches of final awards and the payments in them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awards.models import Award
from measures.models import Department, Incentive


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
