"""Background work on reports (Celery): export jobs, idempotent."""

from celery import shared_task


@shared_task(acks_late=True)
def run_export_job(job_id: int) -> str:
    """Writes an export job's file in chunks, recording progress; a job already done is left alone."""
    from .services import export_job_run

    return export_job_run(job_id=job_id).status
