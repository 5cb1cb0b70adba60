from django.contrib import admin
from django.http import HttpRequest

from .models import AuditDailyHead, AuditEvent


class _ReadOnly(admin.ModelAdmin):
    """The trail is appended by services, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(_ReadOnly):
    list_display = ["sequence", "position", "at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor_label", "reason"]


@admin.register(AuditDailyHead)
class AuditDailyHeadAdmin(_ReadOnly):
    list_display = ["day", "position", "mac", "recorded_at"]
