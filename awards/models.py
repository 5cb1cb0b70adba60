"""Money in the open: budgets, awards, public announcements (公示) with objections (异议),
disbursement batches and payments, proactive award lists (免申即享) and targets' progress."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Applicant
from applications.models import Application
from measures.models import Department, Incentive, Target


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
    def remaining(self):
        return self.allocation - self.committed - self.paid


class Award(models.Model):
    """A decided amount for an application: committed against the budget at approval."""

    class Status(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        FINAL = "final", _("Final")
        PAID = "paid", _("Paid")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.COMMITTED)
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive")]

    def __str__(self) -> str:
        return f"{self.application} {self.amount}"


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


class DisbursementBatch(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        CLOSED = "closed", _("Results recorded")

    number = models.CharField(_("batch number"), max_length=30, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("disbursement batch")
        verbose_name_plural = _("disbursement batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    """One transfer of an award, in a batch. An award is paid at most once (a partial unique
    constraint), and is in at most one batch still waiting for the bank."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    batch = models.ForeignKey(DisbursementBatch, on_delete=models.PROTECT, related_name="payments")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments")
    reference = models.CharField(_("payment reference"), max_length=40, unique=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2)
    # The payee as it was when the batch was built: the bank pays what the file says.
    payee_name = models.CharField(_("payee"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["award"], condition=Q(status="paid"), name="award_paid_once"),
            models.UniqueConstraint(fields=["award"], condition=Q(status="pending"), name="award_pending_once"),
        ]

    def __str__(self) -> str:
        return self.reference


class ProactiveList(models.Model):
    """免申即享: an official list (e.g. the year's national single champions) imported by an administrator."""

    title = models.CharField(_("title"), max_length=200)
    qualification = models.CharField(_("qualification"), max_length=40)
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    # Where the amount engine has no figure (measure 3: "set by the department"), the amount the
    # administrator gave for each enterprise on the list; offers matched later use it too.
    amount = models.DecimalField(
        _("amount per enterprise (CNY)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proactive award list")
        verbose_name_plural = _("proactive award lists")

    def __str__(self) -> str:
        return self.title


class ProactiveListRow(models.Model):
    award_list = models.ForeignKey(ProactiveList, on_delete=models.CASCADE, related_name="rows")
    uscc = models.CharField(_("credit code"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The offer made to the matched enterprise: an application it only confirms.
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="proactive_row"
    )

    class Meta:
        verbose_name = _("proactive list row")
        verbose_name_plural = _("proactive list rows")
        constraints = [models.UniqueConstraint(fields=["award_list", "uscc"], name="proactive_row_once")]

    def __str__(self) -> str:
        return f"{self.uscc} {self.name}"


class TargetProgress(models.Model):
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="progress")
    count = models.PositiveIntegerField(_("count reached"))
    as_of = models.DateField(_("as of"))
    evidence = models.TextField(_("evidence note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("target progress")
        verbose_name_plural = _("target progress")
        ordering = ["target", "as_of"]

    def __str__(self) -> str:
        return f"{self.target.code} {self.count} @ {self.as_of}"


# Export jobs (reports): defined in their own module, imported here so Django registers the model.
from .export_jobs import ExportJob  # noqa: E402, F401
