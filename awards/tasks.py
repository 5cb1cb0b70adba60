"""Background work on awards (Celery). Each task is thin and idempotent: it calls one service,
which takes its own locks, so a task that runs twice changes nothing the second time.

Scheduled in CELERY_BEAT_SCHEDULE (portal/settings/base.py).
"""

from celery import shared_task

# ── announcements (公示) ──────────────────────────────────────────────────────────────────────


@shared_task
def finalise_due_awards() -> int:
    """Hourly: announced awards whose period has ended without an open objection become final."""
    from .announcements import awards_finalise_due

    return len(awards_finalise_due())


# ── reports: export jobs ─────────────────────────────────────────────────────────────────────


@shared_task(acks_late=True)
def run_export_job(job_id: int) -> str:
    """Writes an export job's file in chunks, recording progress; a job already done is left alone."""
    from .report_services import export_job_run

    return export_job_run(job_id=job_id).status
