"""Writes of the reports part: export jobs, the record of direct exports, targets' progress.

export_job_create(actor=, report=, fmt=, fiscal_year=)   -> ExportJob   (the task starts after commit)
export_job_run(job_id=)                                   -> ExportJob   (the Celery task; idempotent)
export_record(actor=, report=, fmt=, fiscal_year=)        -> None        (audit of a direct download)
target_progress_record(actor=, target=, count=, as_of=, evidence=) -> TargetProgress
audit_head_digest_send(day=)                              -> AuditDailyHead (Celery beat, daily)
"""

import datetime as dt
import io
import logging
import tempfile
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import OfficialRole, User
from accounts.services import notification_send
from audit.models import AuditDailyHead
from audit.services import audit_head_publish, audit_record
from measures.models import Target
from portal.outbox import enqueue
from portal.workflow import TransitionNotAllowed, job_failed

from .exports import REPORTS, ReportError, ReportSpec, summary_pdf, write_csv, write_xlsx
from .models import ExportJob, TargetProgress
from .scope import ReportScope, may_record_progress, report_scope
from .workflow import WORKFLOW as EXPORT_WORKFLOW

logger = logging.getLogger(__name__)


__all__ = [
    "ReportError",
    "audit_head_digest_send",
    "export_job_create",
    "export_job_run",
    "export_record",
    "report_spec",
    "target_progress_record",
]


def report_spec(name: str, fmt: str) -> ReportSpec:
    """The report by name in a format it offers (ReportError otherwise; KeyError for an unknown name)."""
    spec = REPORTS[name]
    if fmt not in spec.formats:
        raise ReportError(
            _("“%(report)s” is available as %(formats)s.")
            % {"report": spec.title, "formats": ", ".join(f.upper() for f in spec.formats)},
            field="format",
        )
    return spec


def _check_year(fiscal_year: int | None) -> None:
    if fiscal_year is not None and not 2000 <= fiscal_year <= 2100:
        raise ReportError(_("Enter a fiscal year between 2000 and 2100."), field="fiscal_year")


def export_job_create(*, actor: User, report: str, fmt: str, fiscal_year: int | None = None) -> ExportJob:
    """Records the request and its outbox row; the task starts after commit. The department scope is the actor's
    now: the task never widens it."""
    scope = report_scope(actor)  # PermissionDenied for anyone who may not read reports
    if report not in REPORTS:
        raise ReportError(_("There is no such report."), field="report")
    report_spec(report, fmt)
    _check_year(fiscal_year)
    from .tasks import run_export_job

    with transaction.atomic():
        job = ExportJob.objects.create(
            report=report,
            format=fmt,
            fiscal_year=fiscal_year,
            department_id=scope.department_id,
            language=translation.get_language() or "zh-hans",
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            action="report.export_requested",
            obj=job,
            after={"report": report, "format": fmt, "fiscal_year": fiscal_year, "department": scope.department_id},
        )
        enqueue(run_export_job, {"job_id": job.pk}, key=f"export-job:{job.pk}")
    return job


def _job_scope(job: ExportJob) -> ReportScope:
    return ReportScope.of_department(job.department)


def export_job_run(*, job_id: int) -> ExportJob:
    """Writes the job's file in chunks, recording progress after each; a job already done is left as
    it is (a task may run twice). Failures are recorded on the job, not raised."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job
    try:
        job = EXPORT_WORKFLOW.transition(job, "start", actor=None, changes=_started)
    except (TransitionNotAllowed, _RunAlive):  # finished, or still being written, by another run
        return ExportJob.objects.get(pk=job_id)
    try:
        spec, scope = REPORTS[job.report], _job_scope(job)
        with translation.override(job.language), tempfile.TemporaryFile() as scratch:
            total = spec.count(scope, job.fiscal_year)
            ExportJob.objects.filter(pk=job.pk).update(total_rows=total)

            def progress(rows: int) -> None:
                percent = min(99, rows * 100 // total) if total else 50
                ExportJob.objects.filter(pk=job.pk).update(
                    row_count=rows, progress=percent, heartbeat_at=timezone.now()
                )

            rows = _write(scratch, spec, scope, job, progress)
            scratch.seek(0)

            def finished(locked: ExportJob) -> dict[str, Any]:
                locked.file.save(locked.filename, File(scratch), save=False)
                locked.progress, locked.row_count, locked.finished_at = 100, rows, timezone.now()
                return {}

            try:
                return EXPORT_WORKFLOW.transition(job, "finish", actor=None, changes=finished)
            except TransitionNotAllowed:  # another run finished first
                return ExportJob.objects.get(pk=job.pk)
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        return job_failed(EXPORT_WORKFLOW, job, exc, field="error")


# A run that wrote no progress for this long is taken to be dead (its worker was killed) and the job
# is started again; a live run writes a chunk's progress every few seconds.
HEARTBEAT_STALE = dt.timedelta(minutes=2)


class _RunAlive(Exception):
    """The job is being written by a live run: this delivery of the task leaves it alone."""


def _started(job: ExportJob) -> dict[str, Any]:
    now = timezone.now()
    if job.status == ExportJob.Status.RUNNING and job.heartbeat_at and now - job.heartbeat_at < HEARTBEAT_STALE:
        raise _RunAlive
    job.started_at, job.heartbeat_at, job.progress, job.error = now, now, 0, ""
    return {}


def _write(scratch: Any, spec: ReportSpec, scope: ReportScope, job: ExportJob, progress: Any) -> int:
    """Writes the file into `scratch` (binary) and returns the number of rows written."""
    counter = [0]

    def counting(rows: int) -> None:
        counter[0] = rows
        progress(rows)

    if job.format == ExportJob.Format.CSV:
        text = io.TextIOWrapper(scratch, encoding="utf-8", newline="", write_through=True)
        write_csv(text, spec, scope, job.fiscal_year, progress=counting)
        text.flush()
        text.detach()
    elif job.format == ExportJob.Format.XLSX:
        write_xlsx(scratch, spec, scope, job.fiscal_year, progress=counting)
    else:
        scratch.write(summary_pdf(spec, scope, job.fiscal_year))
        counter[0] = sum(len(list(t.rows)) for t in spec.tables(scope, job.fiscal_year))
    return counter[0]


def export_record(*, actor: User, report: str, fmt: str, fiscal_year: int | None, scope: ReportScope) -> None:
    """A direct download is on record too: who took which rows, when."""
    audit_record(
        actor=actor,
        action="report.exported",
        obj=actor,
        after={"report": report, "format": fmt, "fiscal_year": fiscal_year, "department": scope.department_id},
        visible_to_applicant=False,
    )


def target_progress_record(
    *, actor: User, target: Target, count: int, as_of: dt.date, evidence: str = ""
) -> TargetProgress:
    """An official of the target's responsible department records the count reached on a date."""
    if not may_record_progress(actor, target):
        raise PermissionDenied(_("Only officials of the responsible department record this target's progress."))
    if count < 0:
        raise ReportError(_("The count cannot be negative."), field="count")
    if as_of > timezone.localdate():
        raise ReportError(_("The date cannot be in the future."), field="as_of")
    if as_of.year < 2000:
        raise ReportError(_("Enter a date from 2000 on."), field="as_of")
    evidence = evidence.strip()
    if len(evidence) > 2000:
        raise ReportError(_("Keep the evidence note under 2,000 characters."), field="evidence")
    with transaction.atomic():
        entry = TargetProgress.objects.create(
            target=target, count=count, as_of=as_of, evidence=evidence, recorded_by=actor
        )
        audit_record(
            actor=actor,
            action="target.progress",
            obj=entry,
            after={"target": target.code, "count": count, "as_of": as_of, "evidence": evidence},
        )
    return entry


def audit_head_digest_send(day: dt.date | None = None) -> AuditDailyHead:
    """Daily: records the audit chain's head and sends it to every administrator, so that a copy
    lives outside the database (their inboxes): `verify_audit --head POSITION:MAC` checks the
    trail still reaches it. Idempotent: the day's head is recorded and sent once."""
    with transaction.atomic():
        published, created = audit_head_publish(day)
        if created:
            administrators = User.objects.filter(
                Q(official_role=OfficialRole.ADMINISTRATOR) | Q(is_superuser=True), is_active=True
            ).order_by("pk")
            head = f"{published.position}:{published.mac}"
            for administrator in administrators:
                notification_send(
                    user=administrator,
                    subject=_("Audit trail head on %(day)s") % {"day": published.day.isoformat()},
                    body=_(
                        "The audit trail's head today: position %(position)s, MAC %(mac)s. Keep this message: "
                        "“python manage.py verify_audit --head %(head)s” checks that the trail still reaches "
                        "this head, with nothing removed, changed or recomputed since."
                    )
                    % {"position": published.position, "mac": published.mac, "head": head},
                    link=reverse("reports:audit_heads"),
                )
    return published
