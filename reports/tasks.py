"""Background work on reports (Celery): export jobs and the dashboards' tallies, idempotent."""

from celery import shared_task


@shared_task(acks_late=True)
def run_export_job(job_id: int) -> str:
    """Writes an export job's file in chunks, recording progress; a job already done is left alone."""
    from .services import export_job_run

    return export_job_run(job_id=job_id).status


@shared_task(acks_late=True)
def compact_tallies() -> int:
    """Merges the tallies' deltas into one row per key (beat: every few minutes); run twice, the
    second run finds nothing to merge."""
    from .tallies import tallies_compact

    return tallies_compact()


@shared_task(acks_late=True)
def check_tallies() -> dict[str, int]:
    """Recounts every tally from the records and rebuilds any that differs (beat: nightly); the
    same result however often it runs."""
    from .tallies import tallies_check

    return tallies_check()


@shared_task
def publish_audit_head() -> str:
    """Daily: the audit chain's head, recorded and sent to the administrators (once per day)."""
    from .services import audit_head_digest_send

    published = audit_head_digest_send()
    return f"{published.position}:{published.mac}"
