"""Credit screening (信用审查) as officials see it: re-screening when entities are listed, and the
warning on the review page and the queue.

    flag_listed_applications(actor=, entries=)   connected to credit.hooks.entities_listed
    current_listings(applications)               applicant id → the entry listing it today (one query)

Submission and approval refuse a listed enterprise (services.refuse_if_listed). When entries are
added (an import or by hand), each listed enterprise's applications that are with the department
or awarded and not yet paid (intake, review, announcement and payment stages) get an audit event
and their officials a notification; the review page and the queue show the warning for as long as
the listing is in force, read live from the credit list.
"""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import OfficialRole, User
from accounts.services import notification_send
from audit.services import audit_record
from credit.models import CreditListEntry
from credit.screening import listed_reason
from credit.selectors import listings_for, screened_code
from measures.vocabulary import ApplicantType

from .models import Application
from .states import STATES

# Before payment: with the department (intake, review) or awarded and not yet paid.
FLAGGED_STAGES = ("intake", "review", "announcement", "payment")
FLAGGED_STATUSES = tuple(status for status, state in STATES.items() if state.stage in FLAGGED_STAGES)


def current_listings(applications: Iterable[Application]) -> dict[int, CreditListEntry]:
    """Applicant id → the entry listing it today, for a page of applications (one query)."""
    codes = {a.applicant_id: screened_code(a.applicant) for a in applications}
    found = listings_for(codes.values())
    return {applicant_id: found[code] for applicant_id, code in codes.items() if code in found}


def _officials(application: Application) -> list[User]:
    """Who must know: the assigned handler and the approver who decided, else the department's handlers."""
    people = [u for u in (application.assigned_to, application.decided_by) if u is not None and u.is_active]
    if not people:
        people = list(
            User.objects.filter(
                department_id=application.incentive.handling_department_id,
                official_role=OfficialRole.HANDLER,
                is_active=True,
            )
        )
    return list({u.pk: u for u in people}.values())


def flag_listed_applications(*, actor: Any, entries: list[CreditListEntry], **_kwargs: Any) -> list[Application]:
    """Re-screening: the listed enterprises' applications before payment are flagged for their
    officials (an audit event each, not shown to the applicant, and a notification). Runs in the
    transaction that added the entries; returns the applications flagged."""
    by_code = {e.uscc: e for e in sorted(entries, key=lambda e: (e.listed_on, e.pk), reverse=True)}
    applications = list(
        Application.objects.filter(
            applicant__kind=ApplicantType.ORGANISATION,
            applicant__uscc__in=list(by_code),
            status__in=FLAGGED_STATUSES,
        )
        .select_related("applicant", "incentive", "assigned_to", "decided_by")
        .order_by("pk")
    )
    for application in applications:
        entry = by_code[application.applicant.uscc or ""]
        audit_record(
            actor=actor,
            action="application.credit_flag",
            obj=application,
            after={
                "status": application.status,
                "uscc": entry.uscc,
                "list_name": entry.list_name,
                "listed_on": entry.listed_on,
                "until": entry.until,
                "entry": entry.pk,
            },
            reason=listed_reason(entry),
            visible_to_applicant=False,
        )
        link = reverse("review:application", args=[application.reference]) if application.reference else ""
        with translation.override("zh-hans"):
            subject = _("Credit warning: %(reference)s") % {"reference": application.reference or application.pk}
            body = _(
                "%(reason)s Application %(reference)s (%(status)s) cannot be approved or paid while the listing "
                "is in force: check it and decide what to do."
            ) % {
                "reason": listed_reason(entry),
                "reference": application.reference or application.pk,
                "status": application.get_status_display(),
            }
        for official in _officials(application):
            notification_send(user=official, subject=subject, body=body, link=link)
    return applications
