"""Who may publish, resolve objections and finalise: officials of the announcing department."""

from typing import Any

from accounts import permissions as accounts_permissions
from accounts.models import ConflictOfInterest, OfficialRole
from applications.workflow import Role

from .models import AnnouncementEntry, Objection


def is_department_official(user: Any, department_id: int | None) -> bool:
    """A handler or approver of the department (who publishes and resolves its announcements)."""
    return department_id is not None and accounts_permissions.is_department_official(user, department_id)


def objection_roles(user: Any, objection: Objection) -> set[str]:
    """The workflow role a department official holds on an objection to their department's announcement."""
    if not is_department_official(user, objection.announcement.department_id):
        return set()
    return {Role.APPROVER} if user.official_role == OfficialRole.APPROVER else {Role.HANDLER}


def has_conflict(user: Any, objection: Objection) -> bool:
    """A declared conflict of interest with the applicant the objection concerns (for an objection
    to the whole announcement: with any applicant on it)."""
    entries = AnnouncementEntry.objects.filter(announcement_id=objection.announcement_id)
    if objection.entry_id:
        entries = entries.filter(pk=objection.entry_id)
    applicants = entries.values("award__application__applicant_id")
    return ConflictOfInterest.objects.filter(official=user, applicant_id__in=applicants).exists()
