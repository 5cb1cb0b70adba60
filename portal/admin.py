"""Admin building blocks shared by the apps, the outbox's list, and changelists that stay fast at
millions of rows.

`LargeTableAdmin` (applications, the audit trail, awards, payments, notifications):
- never counts a whole table: `EstimatedCountPaginator` takes PostgreSQL's planner estimate
  (pg_class.reltuples) for an unfiltered list and counts a filtered one only up to a cap;
- newest first by primary key (an index), no sorting by other columns;
- no facet counts; filters whose choices come from code or small tables, never a DISTINCT over
  the big one;
- only the columns the list shows (`list_only`); search on indexed fields, each admin saying how
  (`indexed_search`).
"""

from functools import cached_property
from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


def estimated_rows(queryset: QuerySet[Any]) -> int | None:
    """PostgreSQL's estimate of the rows in the queryset's table (kept by autovacuum and ANALYZE);
    None on other databases or when the table was never analysed."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """Pages of a changelist without COUNT(*) over a large table.

    Unfiltered, on PostgreSQL, with at least `cap` rows: the planner's estimate (`estimated`).
    Otherwise the rows are counted up to `cap` + 1 (SELECT COUNT(*) FROM (… LIMIT cap + 1)): a
    list with more says "more than `cap`" (`capped`) and its pages stop there — filter or search
    to reach the rest.
    """

    cap = 10_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.estimated = False
        self.capped = False

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet[Any], self.object_list)
        if not queryset.query.where:
            estimate = estimated_rows(queryset)
            if estimate is not None and estimate >= self.cap:
                self.estimated = True
                return estimate
        counted = int(queryset.order_by()[: self.cap + 1].count())
        if counted > self.cap:
            self.capped = True
            return self.cap
        return counted


class ColumnsChangeList(ChangeList):
    """A changelist that reads only the columns its admin's `list_only` names."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Any]:
        queryset = super().get_queryset(request, exclude_parameters)
        only = getattr(self.model_admin, "list_only", ())
        return queryset.only(*only) if only else queryset


class LargeTableMixin(admin.ModelAdmin):
    """What an admin of a table of millions of rows needs (see the module's docstring)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    ordering = ("-pk",)
    sortable_by = ()
    # The fields the changelist reads (with list_select_related's, as "relation__field").
    list_only: tuple[str, ...] = ()

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ColumnsChangeList

    def indexed_search(self, term: str) -> Q | None:
        """The condition for one search term, on indexed columns only (None: the term matches nothing)."""
        return None

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> tuple[Any, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = self.indexed_search(term)
        return (queryset.filter(condition) if condition is not None else queryset.none()), False


class LargeTableAdmin(LargeTableMixin, ReadOnlyAdmin):
    """A read-only admin of a table of millions of rows."""


class RecentYearsFilter(admin.SimpleListFilter):
    """A fiscal year among the recent ones: choices from the calendar, not a DISTINCT over the table."""

    title = _("fiscal year")
    parameter_name = "fiscal_year"
    field = "fiscal_year"  # the lookup path of the year

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_year = timezone.localdate().year
        return [(str(year), str(year)) for year in range(this_year + 1, this_year - 6, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{self.field: int(value)})
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """What the outbox holds (portal/outbox.py): after a broker outage, what is still waiting."""

    list_display = ("id", "task", "key", "created_at", "dispatched_at", "done_at", "attempts", "last_error")
    list_filter = (("done_at", admin.EmptyFieldListFilter), ("dispatched_at", admin.EmptyFieldListFilter), "task")
    search_fields = ("key", "task")
    date_hierarchy = "created_at"
