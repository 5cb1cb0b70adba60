"""Who may set budgets."""

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.request import Request

from accounts.models import OfficialRole


def may_manage_budgets(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.official_role in (OfficialRole.FINANCE, OfficialRole.ADMINISTRATOR) or user.is_superuser
    )


class BudgetManagers(permissions.BasePermission):
    message = gettext_lazy("Only finance officers and administrators manage budgets.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_manage_budgets(request.user)
