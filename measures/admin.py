"""The catalog in the Django admin: editable, with change history (simple-history) and
spreadsheet import/export (django-import-export)."""

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .admin_forms import PARAMETER_FIELDS, CriterionForm, IncentiveForm
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


class CriterionInline(admin.StackedInline):
    """Each criterion with a field per parameter of its rule (measures/admin_forms.py); the script
    shows only the rule's own fields."""

    model = EligibilityCriterion
    form = CriterionForm
    extra = 0
    fieldsets = [
        (None, {"fields": ["position", "rule", "alternative_group", "valid_from", "valid_to"]}),
        (_("What the rule checks"), {"fields": [*PARAMETER_FIELDS, "params"]}),
        (_("Condition in words (declarations)"), {"fields": ["text", "text_en"]}),
    ]


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class AccessInline(admin.TabularInline):
    """Co-responsible departments granted read or review access to this incentive's applications."""

    model = IncentiveAccess
    extra = 0
    autocomplete_fields = ["department"]


APPLICATION_FORM_HELP = _(
    'Leave {} for the default form of the incentive\'s kind. Otherwise: {"sections": [...], "claim": {...}}. '
    "Each section has key, title, title_en and fields; each field has key, type (text, textarea, integer, "
    "money, date, choice, rows), label, label_en, and may have help, help_en, required (true/false), "
    'options (for choice: [{"value": ..., "label": ..., "label_en": ...}]), and for rows: '
    "min_rows, max_rows and the fields of a row. claim names the answers the amount engine reads, "
    "as section.field: units, eligible_spending, requested. Every problem is listed when saving."
)


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
    form = IncentiveForm

    class Media:
        css = {"all": ["admin-portal/catalog-editor.css"]}
        js = ["admin-portal/criterion-params.js", "admin-portal/form-editor.js"]

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        """The model's fields as Django lists them, then the checklist and the application form, each
        with what it means."""
        fields = [
            name
            for name in self.get_fields(request, obj)
            if name not in ("checklist", "checklist_en", "application_form")
        ]
        return [
            (None, {"fields": fields}),
            (_("Review checklist"), {"fields": ["checklist", "checklist_en"]}),
            (
                _("Application form"),
                {
                    "fields": ["application_form"],
                    "description": APPLICATION_FORM_HELP,
                },
            ),
        ]


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
