"""Background work on the audit trail (Celery beat)."""

from celery import shared_task


@shared_task
def seal_audit_chain() -> int:
    """Every minute: chains the events committed since the last sealing (each commit also seals
    its own; this takes what a busy moment left). Idempotent."""
    from .services import audit_seal

    return audit_seal()
