"""Expert review in the Django admin, for administrators: the pool (experts, their fields and
declared conflicts), the score sheets with their criteria inline, and the panels read-only (a
panel is drawn and closed on the officials' page, through the services, so that it stays
reproducible from its seed and audited)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.admin import ReadOnlyAdmin

from .models import Assignment, Expert, ExpertConflict, ExpertiseField, Panel, ScoreCriterion, ScoreSheet


@admin.register(ExpertiseField)
class ExpertiseFieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


class ExpertConflictInline(admin.TabularInline):
    model = ExpertConflict
    extra = 0
    autocomplete_fields = ["applicant"]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["__str__", "employer_name", "city", "active"]
    list_filter = ["active", "city", "fields"]
    search_fields = ["user__username", "user__display_name", "employer_name", "employer_uscc"]
    filter_horizontal = ["fields"]
    raw_id_fields = ["user"]
    inlines = [ExpertConflictInline]


@admin.register(ExpertConflict)
class ExpertConflictAdmin(admin.ModelAdmin):
    list_display = ["expert", "applicant", "declared_at"]
    search_fields = ["expert__user__username", "applicant__name", "applicant__uscc"]
    raw_id_fields = ["expert", "applicant"]


class ScoreCriterionInline(admin.TabularInline):
    model = ScoreCriterion
    extra = 1
    fields = ["order", "name", "name_en", "guidance", "guidance_en", "max_points", "weight"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(admin.ModelAdmin):
    list_display = ["title", "incentive"]
    search_fields = ["title", "incentive__code", "incentive__name"]
    raw_id_fields = ["incentive"]
    inlines = [ScoreCriterionInline]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["application", "expert", "scored_at", "missing_reason"]
    readonly_fields = ["application", "expert", "scored_at", "missing_reason"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Panel)
class PanelAdmin(ReadOnlyAdmin):
    list_display = ["call", "drawn_at", "drawn_by", "closed_at"]
    readonly_fields = ["call", "fields", "seed", "drawn_at", "drawn_by", "closed_at", "closed_by"]
    inlines = [AssignmentInline]
