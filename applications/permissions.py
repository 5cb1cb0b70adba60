"""Who may see and act on which application: one place, used by pages, the API and services.

- An applicant's users see their own applications and act as the applicant.
- Officials (handler, approver) see the non-draft applications of the incentives their
  department handles, or to which an administrator granted their department access; a "review"
  grant lets them act too, a "read" grant only read. A declared conflict of interest with the
  applicant takes away every action.
- Finance officers see applications from approval on; administrators see every non-draft one.
"""

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import ConflictOfInterest, OfficialRole
from accounts.permissions import is_administrator
from measures.models import Incentive, IncentiveAccess

from .models import Application, Status
from .workflow import Role

FINANCE_STATUSES = (Status.APPROVED, Status.ANNOUNCED, Status.FINAL, Status.PAID, Status.PAYMENT_FAILED)


def _department_incentives(user: Any, *, acting: bool) -> QuerySet[Incentive]:
    granted = IncentiveAccess.objects.filter(department_id=user.department_id)
    if acting:
        granted = granted.filter(level=IncentiveAccess.Level.REVIEW)
    return Incentive.objects.filter(
        Q(handling_department_id=user.department_id) | Q(pk__in=granted.values("incentive_id"))
    )


def applications_visible_to(user: Any) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    if user.applicant_id:
        return Application.objects.filter(applicant_id=user.applicant_id)
    role = user.official_role
    if is_administrator(user):
        return Application.objects.exclude(status=Status.DRAFT)
    if role == OfficialRole.FINANCE:
        return Application.objects.filter(status__in=FINANCE_STATUSES)
    if role in (OfficialRole.HANDLER, OfficialRole.APPROVER) and user.department_id:
        return Application.objects.exclude(status=Status.DRAFT).filter(
            incentive__in=_department_incentives(user, acting=False)
        )
    return Application.objects.none()


def roles_for(user: Any, application: Application) -> set[str]:
    """The workflow roles the user holds on this application (empty: may only look, or not even)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.applicant_id:
        return {Role.APPLICANT} if user.applicant_id == application.applicant_id else set()
    role = user.official_role
    if role == OfficialRole.FINANCE:
        return {Role.FINANCE}
    if role not in (OfficialRole.HANDLER, OfficialRole.APPROVER) or not user.department_id:
        return set()
    if not _department_incentives(user, acting=True).filter(pk=application.incentive_id).exists():
        return set()
    if ConflictOfInterest.objects.filter(official=user, applicant_id=application.applicant_id).exists():
        return set()
    return {Role.HANDLER} if role == OfficialRole.HANDLER else {Role.APPROVER}
