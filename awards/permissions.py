"""Who may move an award: whoever holds the role on its application (applications/permissions.py)."""

from typing import Any

from applications.permissions import roles_for as application_roles

from .models import Award


def roles_for(user: Any, award: Award) -> set[str]:
    return application_roles(user, award.application)
