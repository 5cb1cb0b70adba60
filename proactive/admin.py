"""Proactive lists in the admin: read-only."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import ProactiveList, ProactiveListRow


class RowInline(ReadOnlyInline):
    model = ProactiveListRow
    fields = readonly_fields = ("uscc", "name", "title", "applicant", "application")


@admin.register(ProactiveList)
class ProactiveListAdmin(ReadOnlyAdmin):
    list_display = ["title", "qualification", "incentive", "year", "imported_by", "imported_at"]
    list_filter = ["year", "qualification"]
    search_fields = ["title"]
    inlines = [RowInline]
