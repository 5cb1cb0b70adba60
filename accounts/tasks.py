"""Email, sent by Celery after the transaction that asked for it has committed.

Celery may run a task twice (acks late, a worker lost mid-task), so each task claims its work
before sending: a notification by setting `emailed_at` with a conditional update, any other
message by claiming its key in the cache. A failed send releases the claim, so the retry sends.
"""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import timezone

logger = logging.getLogger(__name__)

SENT_KEY_TTL = 7 * 24 * 3600
RETRY_ON = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def send_email_task(*, to: str, subject: str, body: str, key: str = "") -> bool:
    """Sends one plain-text email; with a `key`, at most once per key. True when it sent."""
    claim = f"accounts:email-sent:{key}" if key else ""
    if claim and not cache.add(claim, "1", timeout=SENT_KEY_TTL):
        logger.info("email %s already sent: skipped", key)
        return False
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        if claim:
            cache.delete(claim)
        raise
    return True


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> bool:
    """Emails a notification to its user once: `emailed_at` is claimed before sending."""
    from .models import Notification

    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not notification.user.email:
        return False
    body = notification.body
    if notification.link:
        # A path inside the portal becomes a full address when SITE_URL is set (e.g. https://portal.example).
        link = notification.link
        if link.startswith("/"):
            link = getattr(settings, "SITE_URL", "").rstrip("/") + link
        body = f"{body}\n\n{link}"
    try:
        send_mail(notification.subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True
