"""Applications in the admin: read-only. Every change goes through a service and the workflow
(which records the audit event); the admin only looks, filters and searches — at a million
applications too (portal.admin.LargeTableAdmin: no full counts, indexed search and filters)."""

import re
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from measures.models import Measure
from portal.admin import LargeTableAdmin, RecentYearsFilter

from .models import Application, ApplicationDocument

USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")  # GB 32100's alphabet
REFERENCE_PREFIX = "QB-"  # applications.services._next_reference: QB-<year>-<measure>-<sequence>


def is_application_term(term: str) -> bool:
    """Whether a search term names applications: a reference (or its beginning), or a credit code."""
    term = term.strip().upper()
    return term.startswith(REFERENCE_PREFIX) or bool(USCC_SHAPE.match(term))


def application_search(term: str, prefix: str = "") -> Q:
    """An application by its reference (exact or its beginning, e.g. "QB-2026-15") or by its
    applicant's unified social credit code (exact): both read an index. `prefix`: the path to the
    application from another model ("application__")."""
    term = term.upper()
    if USCC_SHAPE.match(term):
        return Q(**{f"{prefix}applicant__uscc": term})
    return Q(**{f"{prefix}reference__startswith": term})


class MeasureFilter(admin.SimpleListFilter):
    """By measure: the choices from the catalog (31 rows), the filter through the incentive's index."""

    title = _("measure")
    parameter_name = "measure"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(m.number), str(m)) for m in Measure.objects.order_by("number").only("number", "title")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(incentive__measure__number=int(value)) if value and value.isdigit() else queryset


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    fields = readonly_fields = (
        "original_name",
        "required_document",
        "format",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "for_supplement",
    )
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(LargeTableAdmin):
    list_display = [
        "__str__",
        "applicant",
        "incentive",
        "fiscal_year",
        "status",
        "estimated_amount",
        "submitted_at",
        "updated_at",
    ]
    # Choices from code and the catalog; submission dates as ranges (today, past 7 days, this month…).
    list_filter = ["status", RecentYearsFilter, MeasureFilter, "incentive__kind", "submitted_at"]
    search_fields = ["reference"]  # shows the search box; the search itself is indexed_search
    search_help_text = _(
        "A reference number, or its beginning (QB-2026-15), or the applicant's unified social credit code."
    )
    list_select_related = ["applicant", "incentive"]
    list_only = (
        "reference",
        "fiscal_year",
        "status",
        "estimated_amount",
        "submitted_at",
        "updated_at",
        "applicant__name",
        "incentive__name",
    )
    inlines = [DocumentInline]

    def indexed_search(self, term: str) -> Q | None:
        return application_search(term)

    fields = readonly_fields = (
        "reference",
        "applicant",
        "incentive",
        "fiscal_year",
        "status",
        "data",
        "estimated_amount",
        "amount_trace",
        "supplement_request",
        "supplement_deadline",
        "created_by",
        "created_at",
        "updated_at",
        "submitted_at",
        "version",
    )
