"""Budgets (预算): an incentive's allocation for a fiscal year, never overspent."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from measures.models import Incentive


class Budget(models.Model):
    """An incentive's allocation for a fiscal year. Committed plus paid never exceed it: a database
    check, and services that lock the row while they change the figures."""

    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="budgets")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    allocation = models.DecimalField(_("allocation (CNY)"), max_digits=18, decimal_places=2)
    committed = models.DecimalField(_("committed (CNY)"), max_digits=18, decimal_places=2, default=0)
    paid = models.DecimalField(_("paid (CNY)"), max_digits=18, decimal_places=2, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-fiscal_year", "incentive__code"]
        constraints = [
            models.UniqueConstraint(fields=["incentive", "fiscal_year"], name="budget_once_per_year"),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(paid__gte=0) & Q(allocation__gte=F("committed") + F("paid")),
                name="budget_never_overspent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incentive.code} {self.fiscal_year}"

    @property
    def remaining(self) -> Decimal:
        return self.allocation - self.committed - self.paid

    @property
    def used_percent(self) -> int:
        """Committed and paid, as a whole percentage of the allocation (at most 100)."""
        return min(100, round((self.committed + self.paid) * 100 / self.allocation)) if self.allocation else 0
