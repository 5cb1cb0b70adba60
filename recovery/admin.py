"""Recoveries in the admin: read-only (decisions and refunds go through the services, audited)."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Recovery, Refund


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = readonly_fields = ("received_on", "bank_reference", "amount", "recorded_by", "recorded_at")


@admin.register(Recovery)
class RecoveryAdmin(ReadOnlyAdmin):
    list_display = ["number", "application", "amount", "refunded", "ban_years", "banned_until", "decided_at"]
    search_fields = ["number", "application__reference", "application__applicant__name"]
    list_select_related = ["application"]
    inlines = [RefundInline]
