"""Reports' records: progress towards the policy's targets, export jobs, and the tallies the
dashboards read (summary rows kept in step with every status change)."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from measures.models import Department, Incentive, Target


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


def export_path(instance: "ExportJob", filename: str) -> str:
    # Private media: served only by the download view, which checks who asks.
    return f"exports/{instance.created_at:%Y/%m}/{filename}"


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    report = models.CharField(_("report"), max_length=40)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    # The rows the requester may see: one department's, or every department's (empty).
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveIntegerField(_("rows written"), default=0)
    total_rows = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    file = models.FileField(upload_to=export_path, blank=True, max_length=200)
    error = models.CharField(_("error"), max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with each chunk's progress: a second delivery of the task (the broker gives it again
    # after its visibility timeout) leaves a job alone while its run is alive (reports/services.py).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_job_requester")]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="export_job_progress_percent")]

    def __str__(self) -> str:
        return f"{self.report}.{self.format} #{self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def filename(self) -> str:
        year = self.fiscal_year or "all-years"
        return f"{self.report}-{year}-{self.created_at:%Y%m%d-%H%M}.{self.format}"


class Tally(models.Model):
    """Summary rows of the dashboards, kept up to date without a lock on a shared counter.

    Every status change inserts small signed deltas (−1 where a record left a state, +1 where it
    arrived), in the transaction of the change; nobody updates a row in place, so concurrent
    transitions never wait for each other here. A figure is the SUM over the rows of its key.
    `tallies_compact` (Celery beat, every few minutes) merges the deltas into one row per key, so
    the tables stay as small as the number of keys; `tallies_rebuild` recounts everything from the
    records (after a migration or a bulk load); `tallies_check` compares them with a recount nightly.
    See reports/tallies.py.
    """

    KEY: ClassVar[tuple[str, ...]]
    SUMS: ClassVar[tuple[str, ...]] = ("count",)

    fiscal_year = models.PositiveSmallIntegerField()
    incentive = models.ForeignKey(Incentive, on_delete=models.CASCADE, related_name="+")
    count = models.IntegerField(default=0)
    merged = models.BooleanField(default=False)  # a compacted row (True) or a delta

    objects = models.Manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        key = " ".join(str(getattr(self, k)) for k in self.KEY)
        return f"{key}: " + ", ".join(f"{name} {getattr(self, name)}" for name in self.SUMS)


class ApplicationTally(Tally):
    """Applications (drafts left out) per fiscal year, incentive and status."""

    KEY = ("fiscal_year", "incentive_id", "status")

    status = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["fiscal_year", "incentive"], name="application_tally_year")]


class AwardTally(Tally):
    """Awards and their amounts per fiscal year, incentive, applicant's city and award status."""

    KEY = ("fiscal_year", "incentive_id", "city", "status")
    SUMS = ("count", "amount")

    city = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=12)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["fiscal_year", "incentive"], name="award_tally_year")]


class PaymentTally(Tally):
    """Payments and their amounts per fiscal year (of the award), incentive and payment status."""

    KEY = ("fiscal_year", "incentive_id", "status")
    SUMS = ("count", "amount")

    status = models.CharField(max_length=10)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["fiscal_year", "incentive"], name="payment_tally_year")]


class StageTally(Tally):
    """Ended timed stages (applications.StageRecord) per fiscal year, incentive, status left and the
    action that ended it: how many, how many had a time limit, how many ended within it, and
    their total duration."""

    KEY = ("fiscal_year", "incentive_id", "status", "action")
    SUMS = ("count", "timed", "in_time", "seconds")

    status = models.CharField(max_length=20)
    action = models.CharField(max_length=30)
    timed = models.IntegerField(default=0)
    in_time = models.IntegerField(default=0)
    seconds = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["fiscal_year", "incentive"], name="stage_tally_year")]


class DailyTally(Tally):
    """Moves per day: submissions (申报) and the end of every timed stage (受理, 补正, 审核决定 …),
    per fiscal year, incentive and action: the dashboards' recent activity."""

    KEY = ("day", "fiscal_year", "incentive_id", "action")

    day = models.DateField()
    action = models.CharField(max_length=30)

    class Meta:
        indexes = [models.Index(fields=["day", "incentive"], name="daily_tally_day")]
