"""Who may import and match proactive lists."""

from typing import Any

from accounts.models import OfficialRole


def is_list_administrator(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or getattr(user, "official_role", "") == OfficialRole.ADMINISTRATOR)
    )
