"""Awards in the admin. Money and decisions change only through services (which lock rows and
write the audit trail), so the admin mostly looks, filters, searches and exports:

- Budgets: export and import with django-import-export (BudgetResource): an imported allocation is
  set through awards.services.budget_set; editing an allocation here does the same. Committed and
  paid are never edited by hand.
- Awards, announcements, objections, batches, payments, proactive lists and target progress:
  read-only, with search and filters; payments exportable (text cells neutralised).
"""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from import_export import fields, resources
from import_export.admin import ExportMixin, ImportExportModelAdmin

from .exports import neutralise
from .models import (
    Announcement,
    AnnouncementEntry,
    Award,
    Budget,
    DisbursementBatch,
    Objection,
    Payment,
    ProactiveList,
    ProactiveListRow,
    TargetProgress,
)
from .resources import BudgetResource
from .services import BudgetError, budget_set


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["application", "budget", "amount", "status", "created_at", "finalised_at", "paid_at"]
    list_filter = ["status", "budget__fiscal_year"]
    search_fields = ["application__reference", "application__applicant__name"]
    list_select_related = ["application", "budget__incentive"]


class EntryInline(ReadOnlyInline):
    model = AnnouncementEntry
    fields = ["display_name", "incentive_name", "amount", "award"]
    readonly_fields = fields


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdmin):
    list_display = ["title", "department", "published_at", "period_days", "ends_on", "published_by"]
    list_filter = ["department"]
    search_fields = ["title"]
    inlines = [EntryInline]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["tracking_number", "announcement", "status", "created_at", "resolved_by", "resolved_at"]
    list_filter = ["status"]
    search_fields = ["tracking_number", "name"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["reference", "award", "payee_name", "bank_name", "amount", "status", "paid_on", "bank_reference"]
    readonly_fields = fields


@admin.register(DisbursementBatch)
class DisbursementBatchAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "department", "incentive", "created_by", "created_at", "approved_by"]
    list_filter = ["status"]
    search_fields = ["number"]
    list_select_related = ["department", "incentive", "created_by", "approved_by"]
    inlines = [PaymentInline]


class PaymentResource(resources.ModelResource):
    """The payments ledger as a spreadsheet; every text cell neutralised against formula injection."""

    batch = fields.Field(attribute="batch__number", column_name="batch")
    application = fields.Field(attribute="award__application__reference", column_name="application reference")

    class Meta:
        model = Payment
        fields = (
            "reference",
            "batch",
            "application",
            "payee_name",
            "bank_name",
            "amount",
            "status",
            "paid_on",
            "bank_reference",
            "failure_reason",
        )
        export_order = fields

    def get_queryset(self) -> Any:
        return Payment.objects.select_related("batch", "award__application")

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        return neutralise(super().export_field(field, instance, **kwargs))


@admin.register(Payment)
class PaymentAdmin(ExportMixin, ReadOnlyAdmin):
    resource_classes = [PaymentResource]
    list_display = ["reference", "batch", "award", "payee_name", "amount", "status", "paid_on"]
    list_filter = ["status", "batch__status"]
    search_fields = ["reference", "payee_name", "award__application__reference", "bank_reference"]
    list_select_related = ["batch", "award__application"]
    exclude = ["account_number"]  # personal data: the payment file has it, on the record


class RowInline(ReadOnlyInline):
    model = ProactiveListRow
    fields = ["uscc", "name", "title", "applicant", "application"]
    readonly_fields = fields


@admin.register(ProactiveList)
class ProactiveListAdmin(ReadOnlyAdmin):
    list_display = ["title", "qualification", "incentive", "year", "imported_by", "imported_at"]
    list_filter = ["year", "qualification"]
    search_fields = ["title"]
    inlines = [RowInline]


@admin.register(TargetProgress)
class TargetProgressAdmin(ReadOnlyAdmin):
    list_display = ["target", "count", "as_of", "recorded_by", "recorded_at"]
    list_filter = ["target__measure__number"]
    search_fields = ["target__code", "evidence"]
