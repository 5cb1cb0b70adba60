"""Who may import and match proactive lists."""

from typing import Any

from accounts.permissions import is_administrator


def is_list_administrator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and is_administrator(user))
