"""Email, sent by Celery once the transaction that asked for it has committed (through the outbox,
portal/outbox.py).

Celery may run a task twice (acks late, a worker lost mid-task, the outbox handing a row over
again), so each task marks its email sent in the database, under a row lock, in the transaction
that sends it: a notification by `emailed_at`, any other message by its outbox row (`once`). A
second run waits for the lock and then finds the email sent; a failed send rolls the mark back,
so the retry sends.
"""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal.outbox import once

from .tokens import tokens_delete_expired

logger = logging.getLogger(__name__)

RETRY_ON = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def send_email_task(*, to: str, subject: str, body: str, key: str = "") -> bool:
    """Sends one plain-text email; with a `key`, at most once per key. True when it sent."""
    if not key:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        return True
    sent = once(key, lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to]), task=send_email_task.name)
    if not sent:
        logger.info("email %s already sent: skipped", key)
    return sent


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    """Emails a notification to its user once: sent and marked (`emailed_at`) under the row's lock."""
    from .emails import notification_email
    from .models import Notification

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        if not notification.user.email:
            return False
        # Text and HTML: greeting, what happened, the facts, the link (under SITE_URL), the signature.
        notification_email(notification).send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


@shared_task
def delete_expired_api_keys() -> int:
    """The API keys past their expiry (accounts.tokens.tokens_delete_expired). How many were deleted."""
    return tokens_delete_expired()
