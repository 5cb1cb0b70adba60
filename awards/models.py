"""Awards: the decided amount of an application, committed against a budget at approval."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from budgets.models import Budget


class Award(models.Model):
    """A decided amount for an application: committed against the budget at approval."""

    class Status(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        FINAL = "final", _("Final")
        PAID = "paid", _("Paid")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled after a failed payment")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)
    # The policy ceiling of the claim when it was approved (measures/ceilings.py): kept so that no
    # later change of figures, override or import can pay above what the policy allowed then.
    ceiling = models.DecimalField(_("policy ceiling (CNY)"), max_digits=18, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.COMMITTED)
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            models.CheckConstraint(condition=Q(amount__lte=F("ceiling")), name="award_within_policy_ceiling"),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.amount}"
