"""Who may set budgets."""

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.request import Request

from accounts.models import OfficialRole
from accounts.permissions import is_administrator, is_department_official, is_finance
from measures.models import Incentive


def may_manage_budgets(user: Any) -> bool:
    return is_finance(user) or is_administrator(user)


def may_set_ceiling(user: Any, incentive: Incentive) -> bool:
    """A year's ceiling is the handling department's decision: its approvers (or an administrator)."""
    return is_administrator(user) or (
        is_department_official(user, incentive.handling_department_id) and user.official_role == OfficialRole.APPROVER
    )


def may_see_ceilings(user: Any) -> bool:
    return is_administrator(user) or is_finance(user) or is_department_official(user)


class BudgetManagers(permissions.BasePermission):
    message = gettext_lazy("Only finance officers and administrators manage budgets.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_manage_budgets(request.user)


class CeilingReaders(permissions.BasePermission):
    message = gettext_lazy("Only officials see the ceilings set by the departments.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_see_ceilings(request.user)
