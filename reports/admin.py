"""Target progress in the admin: read-only."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import TargetProgress


@admin.register(TargetProgress)
class TargetProgressAdmin(ReadOnlyAdmin):
    list_display = ["target", "count", "as_of", "recorded_by", "recorded_at"]
    list_filter = ["target__measure__number"]
    search_fields = ["target__code", "evidence"]
