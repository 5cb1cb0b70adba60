"""Background work of the shared infrastructure (Celery): thin and idempotent."""

from celery import shared_task


@shared_task
def purge_staged_uploads() -> int:
    """Hourly: previews never confirmed are deleted with their files."""
    from .staging import purge_expired

    return purge_expired()
