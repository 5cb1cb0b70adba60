"""A notification as an email: text and HTML (multi-part), in the language it was written in.

    notification_email(notification) -> EmailMultiAlternatives

The subject says what happened (the notification's); the body greets the user, says it, lists the
facts (reference, incentive …), links to the page in the portal (a full address under SITE_URL)
and is signed by the portal. Templates: templates/emails/notification.txt and .html.
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from portal.links import site_url

from .models import Notification


def _addressee(notification: Notification) -> str:
    user = notification.user
    if user.display_name:
        return user.display_name
    applicant = getattr(user, "applicant", None)
    return applicant.name if applicant is not None else user.username


def notification_context(notification: Notification) -> dict[str, Any]:
    link = notification.link
    return {
        "subject": notification.subject,
        "name": _addressee(notification),
        "paragraphs": [p.strip() for p in notification.body.split("\n\n") if p.strip()],
        "facts": [(label, value) for label, value in notification.facts or []],
        "link": site_url(link) if link.startswith("/") else link,
        "portal_url": site_url("/"),
        "inbox_url": site_url("/"),
    }


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """The email of a notification, to its user's address."""
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        context = notification_context(notification)
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(notification.subject.split()),  # no line breaks in a header
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.user.email],
    )
    message.attach_alternative(html, "text/html")
    return message
