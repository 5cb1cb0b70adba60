"""Who does what in expert review.

- Experts (a user with an active Expert record) see and score only their own assignments.
- The panel of a call is drawn, watched and closed by the provincial department's officials
  (handlers, approvers) of the department that handles every incentive of the call; not by
  administrators, who set up the pool and the score sheets in the admin.
- Once the panel is closed, its scores are visible to those officials and to the panel's experts;
  before, each expert sees only their own, and the officials only the progress.
"""

from typing import Any

from accounts.permissions import is_department_official
from calls.models import Call


def expert_of(user: Any) -> Any:
    """The user's active Expert record, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    expert = getattr(user, "expert", None)
    return expert if expert is not None and expert.active else None


def is_expert(user: Any) -> bool:
    return expert_of(user) is not None


def may_run_panel(user: Any, call: Call) -> bool:
    """A handler or approver of the department that handles every incentive of the call."""
    incentives = list(call.incentives.all())
    return bool(incentives) and all(is_department_official(user, i.handling_department_id) for i in incentives)


def may_see_panel_scores(user: Any, call: Call, panel: Any) -> bool:
    if panel is None or not panel.is_closed:
        return False
    if may_run_panel(user, call):
        return True
    expert = expert_of(user)
    return expert is not None and panel.assignments.filter(expert=expert).exists()
