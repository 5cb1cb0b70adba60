"""Awards in the admin: read-only; money changes only through services."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Award


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["application", "budget", "amount", "status", "created_at", "finalised_at", "paid_at"]
    list_filter = ["status", "budget__fiscal_year"]
    search_fields = ["application__reference", "application__applicant__name"]
    list_select_related = ["application", "budget__incentive"]
