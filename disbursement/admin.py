"""Batches and payments in the admin: read-only; payments exportable with text cells neutralised."""

from typing import Any

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportMixin

from applications.admin import application_search, is_application_term
from portal.admin import LargeTableAdmin, ReadOnlyAdmin, ReadOnlyInline
from portal.spreadsheets import neutralise

from .models import DisbursementBatch, Payment


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = (
        "reference",
        "award",
        "payee_name",
        "bank_name",
        "amount",
        "status",
        "paid_on",
        "bank_reference",
    )


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
class PaymentAdmin(ExportMixin, LargeTableAdmin):  # type: ignore[misc]  # the import-export stubs' mixin clashes with ModelAdmin
    """At hundreds of thousands of payments: no full counts; search by payment reference (or its
    beginning) or by the application's reference or credit code, each on an index."""

    resource_classes = [PaymentResource]
    list_display = ["reference", "batch", "award", "payee_name", "amount", "status", "paid_on"]
    list_filter = ["status", "batch__status"]
    search_fields = ["reference"]  # the search itself is indexed_search
    search_help_text = _("A payment reference or its beginning, or an application's reference or credit code.")
    list_select_related = ["batch", "award__application"]
    list_only = (
        "reference",
        "payee_name",
        "amount",
        "status",
        "paid_on",
        "batch__number",
        "award__amount",
        "award__application__reference",
    )

    def indexed_search(self, term: str) -> Q | None:
        if is_application_term(term):
            return application_search(term, "award__application__")
        return Q(reference__startswith=term.upper())

    exclude = ["account_number"]  # personal data: the payment file has it, on the record
