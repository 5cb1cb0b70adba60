"""Background work on announcements (Celery); thin and idempotent."""

from celery import shared_task


@shared_task
def finalise_due_awards() -> int:
    """Hourly: announced awards whose period has ended without an open objection become final."""
    from .services import awards_finalise_due

    return len(awards_finalise_due())
