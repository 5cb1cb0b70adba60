"""Credit (信用审查): the list of seriously dishonest entities (严重失信主体名单) and the credit
commitments (信用承诺) applicants give when they submit.

An entry is active on a day when it was listed on or before it, its term (`until`) has not run
out, and no administrator ended it by hand before it. Entries are never deleted: ending one keeps
who ended it, when and why, and the audit trail has every change.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Applicant
from measures.models import Incentive


class CreditListEntry(models.Model):
    """One entity on a list of seriously dishonest entities (e.g. 严重失信主体名单, 失信被执行人)."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported from a file")
        MANUAL = "manual", _("Added by hand")

    uscc = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    list_name = models.CharField(_("list"), max_length=100)
    listed_on = models.DateField(_("listed on"))
    until = models.DateField(_("listed until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    source_file = models.CharField(_("file imported from"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    # Ended by hand (移出): e.g. the entity repaired its credit (信用修复) or was listed by mistake.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)

    class Meta:
        verbose_name = _("dishonest-list entry")
        verbose_name_plural = _("dishonest-list entries")
        ordering = ["-listed_on", "-pk"]
        constraints = [
            # The same listing is entered once: a re-imported list finds its rows already there.
            models.UniqueConstraint(fields=["uscc", "list_name", "listed_on"], name="credit_entry_once"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("listed_on")), name="credit_entry_until_after_listed"
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(ended_by__isnull=True) & Q(end_reason=""))
                | (Q(ended_on__isnull=False) & Q(ended_by__isnull=False) & ~Q(end_reason="")),
                name="credit_entry_ended_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.uscc} {self.name} · {self.list_name}"


class CreditCommitment(models.Model):
    """信用承诺: the commitment an applicant gave when submitting an application, with the exact
    text and its version (SHA-256 of the Chinese text). The application is named by its id and
    reference (applications is above this app)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="credit_commitments")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("given at"))
    application_id = models.PositiveBigIntegerField(_("application"), unique=True)
    reference = models.CharField(_("reference"), max_length=32)
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    version = models.CharField(_("version (SHA-256 of the Chinese text)"), max_length=64)
    language = models.CharField(_("language shown"), max_length=8)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit commitment")
        verbose_name_plural = _("credit commitments")

    def __str__(self) -> str:
        return f"{self.reference} · {self.given_at:%Y-%m-%d %H:%M}"
