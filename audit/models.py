from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One recorded action. Append-only, and chained with a keyed MAC (HMAC-SHA256 with
    settings.AUDIT_HMAC_KEY, which the database does not hold; audit/services.py):

    - `sequence` is the insertion number the database gives (no lock: writers never wait on each
      other for it); timelines and notices (`Notice.event_sequence`) name an event by it.
    - `content_mac` is written with the event: its content under the key.
    - Shortly after its transaction commits the event is *sealed*: it takes the next `position` of
      the chain, the previous event's MAC and its own `mac` over position, sequence, previous MAC
      and content MAC. An edited, removed, reordered or recomputed event breaks the chain
      (`verify_audit`); a truncated one no longer reaches the heads published each day.
    """

    sequence = models.BigAutoField(_("sequence"), primary_key=True)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=60)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Whether the applicant sees this event in their timeline (officials see everything).
    visible_to_applicant = models.BooleanField(default=True)
    content_mac = models.CharField(max_length=64, default="")
    # Set when sealed (链上位置): empty until then.
    position = models.PositiveBigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    previous_mac = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "sequence"]),
            # The sealing step's "committed and not chained yet", oldest first.
            models.Index(fields=["sequence"], condition=Q(position__isnull=True), name="audit_event_unsealed"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The chain's last sealed position and MAC: a single row, locked only while sealing."""

    last_position = models.PositiveBigIntegerField(default=0)
    last_mac = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.last_position}"


class AuditDailyHead(models.Model):
    """The head as published on a day (每日链头): emailed to the administrators and listed for them,
    so that a copy lives outside the database. `verify_audit` checks the chain still reaches it."""

    day = models.DateField(_("day"), unique=True)
    position = models.PositiveBigIntegerField(_("chain position"))
    mac = models.CharField(_("MAC"), max_length=64)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("published audit head")
        verbose_name_plural = _("published audit heads")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} #{self.position} {self.mac}"
