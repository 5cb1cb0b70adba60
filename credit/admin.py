"""The credit list and commitments in the admin: read-only (entries change through the pages and
the API, which audit every change)."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import CreditCommitment, CreditListEntry


@admin.register(CreditListEntry)
class CreditListEntryAdmin(ReadOnlyAdmin):
    list_display = ["uscc", "name", "list_name", "listed_on", "until", "ended_on", "source"]
    list_filter = ["list_name", "source"]
    search_fields = ["uscc", "name"]
    date_hierarchy = "listed_on"


@admin.register(CreditCommitment)
class CreditCommitmentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "applicant", "given_by", "given_at", "version"]
    search_fields = ["reference", "applicant__name", "applicant__uscc"]
    list_select_related = ["applicant", "given_by"]
