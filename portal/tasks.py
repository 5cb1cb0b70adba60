"""Background work of the shared infrastructure (Celery): thin and idempotent."""

from celery import shared_task


@shared_task
def purge_staged_uploads() -> int:
    """Hourly: previews never confirmed are deleted with their files."""
    from .staging import purge_expired

    return purge_expired()


@shared_task(ignore_result=True)
def dispatch_outbox() -> int:
    """Every minute: hands to the queue what the outbox still holds (the broker was down at commit,
    a process died, a message was lost); see portal/outbox.py."""
    from .outbox import sweep

    return sweep()


@shared_task(ignore_result=True)
def purge_outbox() -> int:
    """Daily: outbox rows done more than a month ago are deleted."""
    from .outbox import purge_done

    return purge_done()
