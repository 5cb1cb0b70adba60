"""Recovery (追回): money paid on an award that the department decides to take back, and the
refunds the applicant makes."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from awards.models import Award

MAX_BAN_YEARS = 5  # Guangdong's texts bar an applicant for up to five years (五年内不得申报)


class Recovery(models.Model):
    """A decision to recover all or part of a paid award (追回决定), with the refunds received so far.

    Its state is the application's (recovering until the refunds reach the amount, then recovered);
    `refunded` is the sum of its refunds, kept on the row that each refund locks.
    """

    number = models.CharField(_("recovery number"), max_length=30, unique=True)  # ZH-<year>-<sequence>
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="recoveries")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="recoveries")
    amount = models.DecimalField(_("amount to recover (CNY)"), max_digits=18, decimal_places=2)
    reasons = models.TextField(_("reasons"))
    # 0: no ban. Otherwise the applicant may not submit an application until `banned_until` (inclusive).
    ban_years = models.PositiveSmallIntegerField(_("barred from applying for (years)"), default=0)
    banned_until = models.DateField(_("barred from applying until"), null=True, blank=True)
    refunded = models.DecimalField(_("refunded (CNY)"), max_digits=18, decimal_places=2, default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"))
    # The application's "recover" audit event: the one its recovery notice is made for.
    event_sequence = models.PositiveBigIntegerField(_("audit event"))
    completed_at = models.DateTimeField(_("refunded in full at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=F("amount")), name="recovery_never_over_refunded"
            ),
            models.CheckConstraint(condition=Q(ban_years__lte=MAX_BAN_YEARS), name="recovery_ban_at_most_five_years"),
        ]
        indexes = [models.Index(fields=["banned_until"], name="recovery_ban_lookup")]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        """What remains to be refunded."""
        return self.amount - self.refunded

    @property
    def is_complete(self) -> bool:
        return self.refunded >= self.amount


class Refund(models.Model):
    """Money the applicant paid back on a recovery (退回), as finance recorded it from the bank."""

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)
    received_on = models.DateField(_("received on"))
    bank_reference = models.CharField(_("bank reference"), max_length=60)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            # The same bank transfer is recorded once (a retried form or API call changes nothing).
            models.UniqueConstraint(fields=["recovery", "bank_reference"], name="refund_once_per_bank_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.recovery.number} {self.bank_reference}"
