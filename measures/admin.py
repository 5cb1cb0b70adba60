"""The catalog in the Django admin: editable, with change history (simple-history) and
spreadsheet import/export (django-import-export)."""

from typing import Any

from django.contrib import admin
from import_export import resources
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AmountParameter,
    Chapter,
    Department,
    EligibilityCriterion,
    Incentive,
    IncentiveAccess,
    Measure,
    MeasureDepartment,
    PolicyDocument,
    RequiredDocument,
    Target,
    YearCeiling,
)


class CatalogAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """History on every change; import with a preview of what would change."""


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "effective_date", "expiry_date"]
    readonly_fields = ["expiry_date"]


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "title_en"]


class DepartmentResource(resources.ModelResource):
    class Meta:
        model = Department
        import_id_fields = ["code"]
        fields = ["code", "name", "name_en", "is_generic"]


@admin.register(Department)
class DepartmentAdmin(CatalogAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["code", "name", "name_en", "is_generic"]
    search_fields = ["code", "name", "name_en"]


class ResponsibilityInline(admin.TabularInline):
    model = MeasureDepartment
    extra = 0
    autocomplete_fields = ["department"]


class MeasureResource(resources.ModelResource):
    class Meta:
        model = Measure
        import_id_fields = ["number"]
        fields = ["number", "title", "title_en", "summary_en", "text"]


@admin.register(Measure)
class MeasureAdmin(CatalogAdmin):
    resource_classes = [MeasureResource]
    list_display = ["number", "title", "title_en", "chapter"]
    list_filter = ["chapter"]
    search_fields = ["title", "title_en", "text"]
    inlines = [ResponsibilityInline]


class AmountParameterInline(admin.TabularInline):
    model = AmountParameter
    extra = 0


class CriterionInline(admin.TabularInline):
    model = EligibilityCriterion
    extra = 0


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class AccessInline(admin.TabularInline):
    """Co-responsible departments granted read or review access to this incentive's applications."""

    model = IncentiveAccess
    extra = 0
    autocomplete_fields = ["department"]


class IncentiveResource(resources.ModelResource):
    class Meta:
        model = Incentive
        import_id_fields = ["code"]
        fields = ["code", "measure", "name", "name_en", "kind", "applicant_type", "handling_department", "is_active"]


@admin.register(Incentive)
class IncentiveAdmin(CatalogAdmin):
    resource_classes = [IncentiveResource]
    list_display = ["code", "name", "measure", "kind", "applicant_type", "handling_department", "is_active"]
    list_filter = ["kind", "applicant_type", "handling_department", "is_active"]
    list_select_related = ["measure", "handling_department"]
    search_fields = ["code", "name", "name_en"]
    inlines = [AmountParameterInline, CriterionInline, RequiredDocumentInline, AccessInline]


@admin.register(AmountParameter)
class AmountParameterAdmin(SimpleHistoryAdmin):
    list_display = ["incentive", "key", "value", "valid_from", "valid_to"]
    list_filter = ["key"]
    list_select_related = ["incentive"]


@admin.register(Target)
class TargetAdmin(CatalogAdmin):
    list_display = ["code", "measure", "department", "quantity", "unit", "qualifier", "deadline"]
    list_select_related = ["measure", "department"]


@admin.register(YearCeiling)
class YearCeilingAdmin(admin.ModelAdmin):
    """Read here; set through budgets.services.year_ceiling_set (approvers of the handling
    department, administrators), which audits every change."""

    list_display = ["incentive", "fiscal_year", "amount", "set_by", "set_at"]
    list_filter = ["fiscal_year"]
    search_fields = ["incentive__code", "incentive__name"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
