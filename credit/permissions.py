"""Who may keep the credit list: the portal's administrators."""

from typing import Any

from accounts.permissions import is_administrator


def may_manage_credit_list(user: Any) -> bool:
    return is_administrator(user)
