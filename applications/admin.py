"""Applications in the admin: read-only. Every change goes through a service and the workflow
(which records the audit event); the admin only looks, filters and searches."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Application, ApplicationDocument


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    fields = readonly_fields = (
        "original_name",
        "required_document",
        "format",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "for_supplement",
    )
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "applicant",
        "incentive",
        "fiscal_year",
        "status",
        "estimated_amount",
        "submitted_at",
        "updated_at",
    ]
    list_filter = ["status", "fiscal_year", "incentive__measure__number", "incentive__kind"]
    search_fields = ["reference", "applicant__name", "applicant__uscc", "incentive__code", "incentive__name"]
    list_select_related = ["applicant", "incentive"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [DocumentInline]
    fields = readonly_fields = (
        "reference",
        "applicant",
        "incentive",
        "fiscal_year",
        "status",
        "data",
        "estimated_amount",
        "amount_trace",
        "supplement_request",
        "supplement_deadline",
        "created_by",
        "created_at",
        "updated_at",
        "submitted_at",
        "version",
    )
