"""Budgets in the admin: imported, exported and edited through the service, never deleted."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin

from accounts.permissions import signed_in_user

from .models import Budget
from .resources import BudgetResource
from .services import BudgetError, budget_problems, budget_set


class BudgetAdminForm(forms.ModelForm):
    """Parses; the rules are the service's (`budget_problems`), shown on the form's fields so that a
    refused allocation is never reported as saved."""

    class Meta:
        model = Budget
        fields = ["incentive", "fiscal_year", "allocation"]

    def clean(self) -> dict[str, Any]:
        super().clean()  # the ModelForm's: also asks for the unique checks
        data = self.cleaned_data
        budget = self.instance
        incentive = data.get("incentive") or getattr(budget, "incentive", None)
        allocation = data.get("allocation")
        if incentive is not None and allocation is not None:
            used = (budget.committed or Decimal(0)) + (budget.paid or Decimal(0)) if budget.pk else Decimal(0)
            for field, messages in budget_problems(incentive=incentive, allocation=allocation, used=used).items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(Budget)
class BudgetAdmin(ImportExportModelAdmin):
    form = BudgetAdminForm
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
                actor=signed_in_user(request),
                incentive=obj.incentive,
                fiscal_year=obj.fiscal_year,
                allocation=obj.allocation,
            )
        except BudgetError as refused:
            self.message_user(request, refused.message, level=messages.ERROR)
            return
        obj.pk = saved.pk
        obj.refresh_from_db()
