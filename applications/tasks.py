"""Background work on applications: notices, lapses, digests and reminders (Celery beat)."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def generate_notice(application_id: int, kind: str, event_sequence: int) -> str:
    """Makes the notice's PDF; idempotent: a retried task returns the notice made the first time."""
    from .notices import issue_notice

    return issue_notice(application_id=application_id, kind=kind, event_sequence=event_sequence).number


@shared_task
def lapse_missed_supplements() -> int:
    """Daily: applications whose supplement deadline has passed lapse, with a notice."""
    from .review import applications_lapse_overdue

    return applications_lapse_overdue()


@shared_task
def send_handler_digests() -> int:
    """Daily: each handler gets one message listing their open and overdue items."""
    from .review import handler_digests_send

    return handler_digests_send()


@shared_task
def send_supplement_reminders() -> int:
    """Daily: applicants are reminded two working days before a supplement deadline."""
    from .review import supplement_reminders_send

    return supplement_reminders_send()
