"""Who may publish, resolve objections and finalise: officials of the announcing department."""

from typing import Any

from accounts.models import OfficialRole


def is_department_official(user: Any, department_id: int | None) -> bool:
    """A handler or approver of the department (who publishes and resolves its announcements)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.official_role in (OfficialRole.HANDLER, OfficialRole.APPROVER)
        and user.department_id
        and user.department_id == department_id
    )
