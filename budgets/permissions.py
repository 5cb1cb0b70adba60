"""Who may set budgets."""

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.request import Request

from accounts.permissions import is_administrator, is_finance


def may_manage_budgets(user: Any) -> bool:
    return is_finance(user) or is_administrator(user)


class BudgetManagers(permissions.BasePermission):
    message = gettext_lazy("Only finance officers and administrators manage budgets.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_manage_budgets(request.user)
