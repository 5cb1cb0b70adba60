import re

from django.apps import apps
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin import LargeTableAdmin, ReadOnlyAdmin

from .models import AuditDailyHead, AuditEvent


class ObjectTypeFilter(admin.SimpleListFilter):
    """What the event is about: the choices are the portal's models, not a DISTINCT over the trail."""

    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        labels = sorted(m._meta.label_lower for m in apps.get_models() if not m._meta.app_label.startswith("django"))
        return [(label, label) for label in labels]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.filter(object_type=self.value()) if self.value() else queryset


OBJECT = re.compile(r"^(?P<type>[a-z_]+\.[a-z_]+):(?P<id>\S+)$")


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableAdmin):
    """Read-only: the trail is appended by services, never edited by hand. Millions of events:
    newest first by sequence, searched by sequence number or by object (type:id), both indexed."""

    list_display = ["sequence", "position", "at", "actor_label", "action", "object_type", "object_id"]
    list_filter = [ObjectTypeFilter]
    ordering = ("-sequence",)
    search_fields = ["object_id"]  # shows the search box; the search itself is indexed_search
    search_help_text = _(
        "An event's sequence number, or an object as type:id (applications.application:42); "
        "with an object type chosen, its id alone."
    )
    list_only = ("sequence", "position", "at", "actor_label", "action", "object_type", "object_id")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[AuditEvent], search_term: str) -> tuple:
        term = search_term.strip()
        if term and request.GET.get(ObjectTypeFilter.parameter_name):
            return queryset.filter(object_id=term), False  # with the filter's type: the (type, id) index
        return super().get_search_results(request, queryset, search_term)

    def indexed_search(self, term: str) -> Q | None:
        if term.isdigit():
            return Q(sequence=int(term))
        found = OBJECT.match(term)
        return Q(object_type=found["type"], object_id=found["id"]) if found else None


@admin.register(AuditDailyHead)
class AuditDailyHeadAdmin(ReadOnlyAdmin):
    """The chain's head as published each day (reports' daily digest to administrators)."""

    list_display = ["day", "position", "mac", "recorded_at"]
