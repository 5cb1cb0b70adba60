"""Site checks (现场核查) of applications and collective decision meetings (集体审议) of a call."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from calls.models import Call


class SiteCheck(models.Model):
    """An on-site check of an applicant by officials of the department, for calls with site checks."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        RECTIFY = "rectify", _("To be rectified (整改)")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="site_checks")
    checked_on = models.DateField(_("checked on"))
    officials_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("officials present")
    )
    others_present = models.TextField(_("others present"), blank=True)
    findings = models.TextField(_("findings"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("site check")
        verbose_name_plural = _("site checks")
        ordering = ["-checked_on", "-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.checked_on} {self.outcome}"


def photo_path(instance: "SiteCheckPhoto", filename: str) -> str:
    # A random stored name, as for applications' documents; the cleaned original name is in the row.
    return f"site-checks/{instance.site_check_id}/{instance.stored_name}"


class SiteCheckPhoto(models.Model):
    class Format(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    site_check = models.ForeignKey(SiteCheck, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    stored_name = models.CharField(max_length=80)
    original_name = models.CharField(_("file name"), max_length=200)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("site check photo")
        verbose_name_plural = _("site check photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def new_stored_name(fmt: str) -> str:
        return f"{secrets.token_hex(16)}.{fmt}"


class Meeting(models.Model):
    """A collective decision meeting (集体审议) on a call's applications under review."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("held on"))
    chaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chaired by")
    )
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("attendees"))
    other_attendees = models.TextField(_("other attendees"), blank=True)
    minutes = models.TextField(_("minutes"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("collective decision meeting")
        verbose_name_plural = _("collective decision meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The meeting's reference, e.g. JT-2026-0007 (集体审议, the call's fiscal year, the row's id)."""
        return f"JT-{self.call.fiscal_year}-{self.pk:04d}"


class MeetingDecision(models.Model):
    """One application's place in the meeting's ranking and what the meeting decided for it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="meeting_decisions")
    rank = models.PositiveIntegerField(_("rank"))
    score = models.DecimalField(_("expert score"), max_digits=7, decimal_places=2, null=True, blank=True)
    amount_asked = models.DecimalField(_("amount asked (CNY)"), max_digits=18, decimal_places=2)
    support = models.BooleanField(_("supported"))
    amount_allocated = models.DecimalField(_("amount allocated (CNY)"), max_digits=18, decimal_places=2)
    reasons = models.TextField(_("reasons"), blank=True)

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["meeting", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"], name="meeting_decides_an_application_once"),
            models.UniqueConstraint(fields=["meeting", "rank"], name="meeting_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.rank} {self.application_id}"

    @property
    def proposed(self) -> bool:
        """Proposed for support with its amount; otherwise proposed not to support."""
        return self.support and self.amount_allocated > 0
