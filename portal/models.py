"""The shared infrastructure's models: numbering sequences and staged uploads."""

from django.conf import settings
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


def staged_path(instance: "StagedUpload", filename: str) -> str:
    # Private media under a random name: served to nobody, read back only by the confirming view.
    return f"staged/{instance.purpose}/{instance.token}"


class StagedUpload(models.Model):
    """A file (or what was read from it) kept between an import's preview and its confirmation:
    one model for every preview-then-confirm import. Only its owner takes it back, for the same
    purpose; a beat task deletes what was never confirmed (portal/staging.py)."""

    token = models.CharField(max_length=43, unique=True)
    purpose = models.CharField(_("purpose"), max_length=60)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=staged_path, blank=True, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    # What else the confirmation needs: the batch, the list's parameters, the rows read.
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("staged upload")
        verbose_name_plural = _("staged uploads")

    def __str__(self) -> str:
        return f"{self.purpose} {self.original_name}"
