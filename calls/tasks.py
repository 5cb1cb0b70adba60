"""Telling applicants about calls: when a call opens, and a week before it closes, each applicant
whose profile may fit one of its incentives (not ruled out by the eligibility rules) is notified
once — in the portal's inbox and by email (accounts' notification_send, through the outbox).

Idempotent: a CallNotification row per (call, applicant, kind), unique in the database, is written
in the same transaction as the notifications; a task run twice, or two at once, sends each once.
A call whose sweep finished is stamped and skipped by later runs.
"""

import datetime as dt
import logging

from celery import shared_task
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Applicant, User
from accounts.selectors import applicant_facts
from accounts.services import notification_send
from measures.eligibility import judge
from measures.models import Incentive

from .models import Call, CallNotification

logger = logging.getLogger(__name__)

CLOSING_NOTICE = dt.timedelta(days=7)


def _may_fit(applicant: Applicant, incentives: list[Incentive]) -> bool:
    facts = applicant_facts(applicant)
    # None (more information needed) counts: a declaration the department checks is never known ahead.
    return any(judge(incentive, facts).eligible is not False for incentive in incentives)


def _message(call: Call, kind: str) -> tuple[str, str]:
    when = timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M")
    title = call.localized("title")
    if kind == CallNotification.Kind.OPENED:
        return (
            _("Call for applications open: %(title)s") % {"title": title},
            _(
                "The call “%(title)s” is open for applications until %(when)s (Beijing time). "
                "Your profile may fit it: read the call and apply in the portal."
            )
            % {"title": title, "when": when},
        )
    return (
        _("Call closes soon: %(title)s") % {"title": title},
        _(
            "The call “%(title)s” closes on %(when)s (Beijing time); applications submitted later are not "
            "accepted. If you mean to apply, submit before then."
        )
        % {"title": title, "when": when},
    )


def _notify(call: Call, applicant: Applicant, kind: str) -> bool:
    """One applicant told once: the record and the notifications commit together or not at all."""
    try:
        with transaction.atomic():
            CallNotification.objects.create(call=call, applicant=applicant, kind=kind)
            subject, body = _message(call, kind)
            for user in User.objects.filter(applicant=applicant, is_active=True):
                notification_send(user=user, subject=subject, body=body, link=reverse("calls:detail", args=[call.pk]))
    except IntegrityError:
        return False  # told already (another run got there first)
    return True


def sweep_call(call: Call, kind: str) -> int:
    """Notifies every applicant not told yet who may fit one of the call's incentives; the count."""
    incentives = list(call.incentives.prefetch_related("criteria"))
    kinds = {i.applicant_type for i in incentives}
    told = CallNotification.objects.filter(call=call, kind=kind).values("applicant_id")
    applicants = (
        Applicant.objects.filter(kind__in=kinds, users__is_active=True)
        .exclude(pk__in=told)
        .distinct()
        .prefetch_related("qualifications")
        .order_by("pk")
    )
    sent = 0
    for applicant in applicants.iterator(chunk_size=500):
        if _may_fit(applicant, incentives) and _notify(call, applicant, kind):
            sent += 1
    return sent


@shared_task
def notify_calls() -> dict[str, int]:
    """Run by beat every ten minutes: sweeps the calls that opened, and those closing within a week."""
    now = timezone.now()
    sent = {"opened": 0, "closing": 0}
    opened = Call.objects.open(now).filter(opened_notified_at__isnull=True)
    for call in opened:
        sent["opened"] += sweep_call(call, CallNotification.Kind.OPENED)
        Call.objects.filter(pk=call.pk).update(opened_notified_at=now)
    closing = Call.objects.open(now).filter(Q(closing_notified_at__isnull=True), closes_at__lte=now + CLOSING_NOTICE)
    for call in closing:
        sent["closing"] += sweep_call(call, CallNotification.Kind.CLOSING)
        Call.objects.filter(pk=call.pk).update(closing_notified_at=now)
    if sent["opened"] or sent["closing"]:
        logger.info("call notifications sent: %s", sent)
    return sent
