"""Public announcements (公示) of approved decisions, their entries and objections (异议)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from awards.models import Award
from measures.models import Department


class Announcement(models.Model):
    """公示: a department publishes approved decisions for a period counted in working days."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="announcements")
    title = models.CharField(_("title"), max_length=200)
    published_at = models.DateTimeField(_("published at"))
    period_days = models.PositiveSmallIntegerField(_("period in working days"), default=5)
    ends_on = models.DateField(_("objections close after"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title


class AnnouncementEntry(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.PROTECT, related_name="entries")
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="announcement_entry")
    # As published: individuals' names partly masked; kept as shown even if the profile changes.
    display_name = models.CharField(_("name"), max_length=200)
    incentive_name = models.CharField(_("incentive"), max_length=200)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("announcement entry")
        verbose_name_plural = _("announcement entries")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.display_name} {self.amount}"


class Objection(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    announcement = models.ForeignKey(Announcement, on_delete=models.PROTECT, related_name="objections")
    entry = models.ForeignKey(
        AnnouncementEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="objections"
    )
    tracking_number = models.CharField(_("tracking number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=100)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.tracking_number
