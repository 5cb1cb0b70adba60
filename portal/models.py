"""The shared infrastructure's models: numbering sequences, staged uploads and the outbox."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
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


class OutboxMessage(models.Model):
    """Work that must happen after a change (a notice to make, an email to send, an export to write),
    written as a row in the same transaction as the change: a rollback loses both, a commit keeps
    both (发件箱). After commit the row is handed to Celery; when the broker is down it waits here
    for the sweeper (portal/outbox.py). `done_at` is set once the task has done its work."""

    task = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # What makes the work unique ("notice:12:acceptance:345"): a second request for it is not recorded.
    key = models.CharField(_("idempotency key"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("handed to the queue"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("hand-overs"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~models.Q(key=""), name="outbox_key_once"),
        ]
        indexes = [
            # The sweeper's question: what is not done yet, oldest first.
            models.Index(
                fields=["dispatched_at", "id"], condition=models.Q(done_at__isnull=True), name="outbox_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
