"""Awards in the admin: read-only; money changes only through services. At hundreds of thousands
of awards: no full counts, indexed search and filters (portal.admin.LargeTableAdmin)."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.admin import application_search
from portal.admin import LargeTableAdmin, RecentYearsFilter

from .models import Award


class AwardYearFilter(RecentYearsFilter):
    field = "application__fiscal_year"


@admin.register(Award)
class AwardAdmin(LargeTableAdmin):
    list_display = ["application", "budget", "amount", "status", "created_at", "finalised_at", "paid_at"]
    list_filter = ["status", AwardYearFilter]
    search_fields = ["application__reference"]  # the search itself is indexed_search
    search_help_text = _(
        "A reference number, or its beginning (QB-2026-15), or the applicant's unified social credit code."
    )
    list_select_related = ["application", "budget__incentive"]
    list_only = (
        "amount",
        "status",
        "created_at",
        "finalised_at",
        "paid_at",
        "application__reference",
        "budget__fiscal_year",
        "budget__incentive__code",
    )

    def indexed_search(self, term: str) -> Q | None:
        return application_search(term, "application__")
