"""Who reads which reports: a report scope (every department, or one) decided once per user."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from accounts.models import OfficialRole
from accounts.permissions import is_administrator, is_department_official, is_finance
from measures.models import Department, Target


@dataclass(frozen=True)
class ReportScope:
    """The rows a reader may see: `department_id` None means every department."""

    role: str  # "administrator", "finance" or "department"
    department_id: int | None = None
    department_name: str = ""

    @property
    def everything(self) -> bool:
        return self.department_id is None

    @classmethod
    def of_department(cls, department: Department | None) -> "ReportScope":
        if department is None:
            return cls("administrator")
        return cls("department", department.pk, department.name)


def is_report_reader(user: Any) -> bool:
    try:
        report_scope(user)
    except PermissionDenied:
        return False
    return True


def report_scope(user: Any) -> ReportScope:
    if not getattr(user, "is_authenticated", False) or getattr(user, "applicant_id", None):
        raise PermissionDenied
    if is_administrator(user):
        return ReportScope("administrator")
    if is_finance(user):
        return ReportScope("finance")
    if is_department_official(user):
        return ReportScope("department", user.department_id, user.department.name)
    raise PermissionDenied


def is_report_admin(user: Any) -> bool:
    return is_administrator(user)


def may_record_progress(user: Any, target: Target) -> bool:
    """Officials of the target's responsible department (and administrators) record its progress."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "applicant_id", None):
        return False
    if is_report_admin(user):
        return True
    return bool(
        user.official_role in (OfficialRole.HANDLER, OfficialRole.APPROVER)
        and user.department_id
        and user.department_id == target.department_id
    )
