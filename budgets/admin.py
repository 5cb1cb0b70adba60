"""Budgets in the admin: imported, exported and edited through the service, never deleted."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin

from .models import Budget
from .resources import BudgetResource
from .services import BudgetError, budget_set


@admin.register(Budget)
class BudgetAdmin(ImportExportModelAdmin):
    resource_classes = [BudgetResource]
    list_display = ["incentive", "fiscal_year", "allocation", "committed", "paid", "remaining", "updated_at"]
    list_filter = ["fiscal_year", "incentive__handling_department"]
    search_fields = ["incentive__code", "incentive__name"]
    list_select_related = ["incentive"]
    readonly_fields = ["committed", "paid", "updated_at"]
    fields = ["incentive", "fiscal_year", "allocation", "committed", "paid", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, "incentive", "fiscal_year"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Budget, form: Any, change: bool) -> None:
        """Through the service: locked, never below what is used, on the audit trail."""
        try:
            saved = budget_set(
                actor=request.user, incentive=obj.incentive, fiscal_year=obj.fiscal_year, allocation=obj.allocation
            )
        except BudgetError as refused:
            self.message_user(request, refused.message, level=messages.ERROR)
            return
        obj.pk = saved.pk
        obj.refresh_from_db()
