"""Calls for applications (申报通知 / 申报指南): a round of one or several incentives for a fiscal
year, with its window ("逾期不再受理"), the reference period the claim's facts must fall in, the
review path and the money available. Later work (city first review, expert panels, collective
decision) reads the review path, expert and site-check settings and the allocation mode."""

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Applicant
from measures.models import Bilingual, Incentive


class CallStatus(models.TextChoices):
    """Derived from the time, never stored: open from `opens_at` (included) to `closes_at` (excluded)."""

    UPCOMING = "upcoming", _("Not open yet")
    OPEN = "open", _("Open for applications")
    CLOSED = "closed", _("Closed")


class CallQuerySet(models.QuerySet["Call"]):
    def open(self, now: dt.datetime | None = None) -> "CallQuerySet":
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def upcoming(self, now: dt.datetime | None = None) -> "CallQuerySet":
        return self.filter(opens_at__gt=now or timezone.now())

    def closed(self, now: dt.datetime | None = None) -> "CallQuerySet":
        return self.filter(closes_at__lte=now or timezone.now())

    def with_status(self, now: dt.datetime | None = None) -> "CallQuerySet":
        """Annotates `current_status` (a CallStatus value) as of `now`."""
        now = now or timezone.now()
        return self.annotate(
            current_status=Case(
                When(opens_at__gt=now, then=Value(CallStatus.UPCOMING.value)),
                When(closes_at__lte=now, then=Value(CallStatus.CLOSED.value)),
                default=Value(CallStatus.OPEN.value),
                output_field=models.CharField(),
            )
        )


def notice_path(instance: "Call", filename: str) -> str:
    # A random name: the published notice is public, but its path need not be guessable before it is.
    return f"calls/{secrets.token_hex(12)}.pdf"


class Call(Bilingual):
    class ReviewPath(models.TextChoices):
        PROVINCE = "province", _("Directly to the provincial department")
        CITY_FIRST = "city_first", _("City bureau's first review and recommendation first (地市初审推荐)")

    class Allocation(models.TextChoices):
        RANK = "rank", _("By rank until the money runs out")
        PRO_RATA = "pro_rata", _("Pro rata to the amounts proposed")

    incentives = models.ManyToManyField(Incentive, related_name="calls", verbose_name=_("incentives"))
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    guidance = models.TextField(_("guidance (Chinese)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    # The notice as the department published it (a PDF), checked by its bytes (portal/uploads.py).
    notice_pdf = models.FileField(_("published notice (PDF)"), upload_to=notice_path, blank=True)
    # To the minute, in Asia/Shanghai on the pages: open from opens_at until just before closes_at.
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    # The period the claim's facts must fall in (e.g. standards published from last July to this June).
    reference_from = models.DateField(_("reference period from"), null=True, blank=True)
    reference_to = models.DateField(_("reference period to"), null=True, blank=True)
    # Which answer is the qualifying fact's date, as "section.field" or "section.rows[].field"
    # (measure 15: "claim.standards[].published_on"). Empty: the form's only date field, if it has one.
    reference_date_field = models.CharField(
        _("answer checked against the reference period"), max_length=100, blank=True
    )
    review_path = models.CharField(
        _("review path"), max_length=16, choices=ReviewPath.choices, default=ReviewPath.PROVINCE
    )
    expert_review = models.BooleanField(_("expert review (专家评审)"), default=False)
    site_check = models.BooleanField(_("site checks (现场核查)"), default=False)
    experts_per_application = models.PositiveSmallIntegerField(
        _("experts per application"), default=3, validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    money_available = models.DecimalField(
        _("money available (CNY)"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    max_awards = models.PositiveIntegerField(_("most awards"), null=True, blank=True)
    allocation = models.CharField(
        _("when over-subscribed"), max_length=10, choices=Allocation.choices, default=Allocation.RANK
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    # 兑现时限: the days within which the department promises to pay once the award is final.
    payment_days = models.PositiveSmallIntegerField(_("days to pay (兑现时限)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set once every matching applicant was told (calls/tasks.py): later sweeps skip the call.
    opened_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    closing_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opening",
                violation_error_message=_("The call must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(reference_from__isnull=True)
                | Q(reference_to__isnull=True)
                | Q(reference_to__gte=models.F("reference_from")),
                name="call_reference_period_ordered",
                violation_error_message=_("The reference period must end on or after its first day."),
            ),
        ]
        indexes = [models.Index(fields=["opens_at", "closes_at"], name="call_window")]

    def __str__(self) -> str:
        return self.title

    def status(self, now: dt.datetime | None = None) -> CallStatus:
        now = now or timezone.now()
        if now < self.opens_at:
            return CallStatus.UPCOMING
        if now >= self.closes_at:
            return CallStatus.CLOSED
        return CallStatus.OPEN

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return self.status(now) == CallStatus.OPEN

    def status_label(self) -> str:
        return str(self.status().label)

    def in_reference_period(self, day: dt.date) -> bool:
        return (self.reference_from is None or self.reference_from <= day) and (
            self.reference_to is None or day <= self.reference_to
        )


class CallNotification(models.Model):
    """Sent once (calls/tasks.py): an applicant was told that a call opened, or closes within a week."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Call opened")
        CLOSING = "closing", _("Call closes within a week")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="notifications")
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call notification")
        verbose_name_plural = _("call notifications")
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant", "kind"], name="call_notification_once"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.applicant_id} {self.kind}"
