"""Site checks and meetings in the Django admin: read only. They are recorded on their pages,
through decisions.services, so every one is checked, proposes through the workflow and is audited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.admin import ReadOnlyAdmin

from .models import Meeting, MeetingDecision, SiteCheck


class MeetingDecisionInline(admin.TabularInline):
    model = MeetingDecision
    fields = ("rank", "application", "score", "amount_asked", "support", "amount_allocated", "reasons")
    readonly_fields = ("rank", "application", "score", "amount_asked", "support", "amount_allocated", "reasons")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "call", "held_on", "chaired_by", "recorded_at"]
    list_select_related = ["call", "chaired_by"]
    list_filter = ["held_on"]
    inlines = [MeetingDecisionInline]


@admin.register(SiteCheck)
class SiteCheckAdmin(ReadOnlyAdmin):
    list_display = ["application", "checked_on", "outcome", "recorded_by", "recorded_at"]
    list_select_related = ["application", "recorded_by"]
    list_filter = ["outcome"]
