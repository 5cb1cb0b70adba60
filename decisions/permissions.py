"""Who may record site checks and meetings, and read meeting records: the provincial department's
officials of the call's (or application's) incentives. One place for pages, the API and services."""

from typing import Any

from accounts.models import OfficialRole
from accounts.permissions import is_department_official
from applications.models import Application
from applications.permissions import roles_for
from applications.workflow import Role
from calls.models import Call


def department_of_call(call: Call) -> int | None:
    """The one department that handles every incentive of the call (None: none, or several)."""
    departments = {i.handling_department_id for i in call.incentives.all()}
    return departments.pop() if len(departments) == 1 else None


def may_read_meetings(user: Any, call: Call) -> bool:
    """Handlers and approvers of the department of the call's incentives."""
    department = department_of_call(call)
    return department is not None and is_department_official(user, department)


def may_record_meeting(user: Any, call: Call) -> bool:
    """A handler of the department of the call's incentives records the meeting (and so proposes:
    an approver of the department then approves each proposal, four-eyes)."""
    return may_read_meetings(user, call) and user.official_role == OfficialRole.HANDLER


def may_record_site_check(user: Any, application: Application) -> bool:
    """A handler or approver acting on the application (its incentive's department, no conflict)."""
    return bool(roles_for(user, application) & {Role.HANDLER, Role.APPROVER})


def may_read_site_checks(user: Any, application: Application) -> bool:
    return may_record_site_check(user, application) or bool(
        is_department_official(user, application.incentive.handling_department_id)
    )
