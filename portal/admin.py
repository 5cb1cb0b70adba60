"""Admin building blocks shared by the apps, and the outbox's list."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import OutboxMessage


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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """What the outbox holds (portal/outbox.py): after a broker outage, what is still waiting."""

    list_display = ("id", "task", "key", "created_at", "dispatched_at", "done_at", "attempts", "last_error")
    list_filter = (("done_at", admin.EmptyFieldListFilter), ("dispatched_at", admin.EmptyFieldListFilter), "task")
    search_fields = ("key", "task")
    date_hierarchy = "created_at"
