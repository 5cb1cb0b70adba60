"""Who may publish and edit calls: administrators, and the officials (handlers, approvers) of the
department that handles every incentive of the call."""

from collections.abc import Iterable
from typing import Any

from accounts.permissions import is_administrator, is_department_official
from measures.models import Incentive


def may_manage_calls(user: Any) -> bool:
    return is_administrator(user) or is_department_official(user)


def may_manage_call_for(user: Any, incentives: Iterable[Incentive]) -> bool:
    if is_administrator(user):
        return True
    items = list(incentives)
    return bool(items) and all(is_department_official(user, i.handling_department_id) for i in items)
