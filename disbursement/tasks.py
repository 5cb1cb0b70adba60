"""Background work of disbursement (Celery): applying a bank's results file, idempotent."""

from celery import shared_task


@shared_task(acks_late=True)
def apply_bank_results(job_id: int) -> str:
    """Applies a results job's rows after the last one applied; a job already done is left alone."""
    from .results import results_job_run

    return results_job_run(job_id=job_id).status
