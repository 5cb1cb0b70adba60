"""The one model of the shared infrastructure: numbering sequences."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sequence(models.Model):
    """The last number taken in a series ("application:2026:17", "disbursement-batch:2026", …).

    The row is locked while the next number is taken, inside the transaction that uses it: no two
    records share a number, and a rolled-back transaction gives its number back (no gaps)."""

    series = models.CharField(_("series"), max_length=60, unique=True)
    last = models.PositiveIntegerField(_("last number taken"), default=0)

    class Meta:
        verbose_name = _("numbering sequence")
        verbose_name_plural = _("numbering sequences")
        ordering = ["series"]

    def __str__(self) -> str:
        return f"{self.series}: {self.last}"
