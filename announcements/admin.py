"""Announcements and objections in the admin: read-only."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Announcement, AnnouncementEntry, Objection


class EntryInline(ReadOnlyInline):
    model = AnnouncementEntry
    fields = readonly_fields = ("display_name", "incentive_name", "amount", "award")


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
