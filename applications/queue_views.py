"""The officials' review queue (/review/): their department's applications, filtered and sorted, and
accepting several at once."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import signed_in_user
from measures.caching import page_key
from portal.keyset import BadCursor

from .models import Status
from .permissions import acting_scope
from .queue_cache import cached_status_counts, official_scope
from .review import (
    applications_accept_many,
)
from .review_forms import (
    QueueFilterForm,
)
from .review_selectors import (
    OPEN_STATUSES,
    QueueFilters,
    department_handlers,
    is_official,
    is_overdue,
    queue_incentives,
    queue_status_counts,
    review_queue_page,
    submitted_in,
)
from .review_views import _next_or
from .screening import current_listings

QUEUE_PAGE_SIZE = 25


ACCEPT_MANY_LIMIT = 100  # a page holds 25; more in one request is not a person selecting


def _query(params: QueryDict, **changes: str) -> str:
    query = params.copy()
    query.pop("cursor", None)
    for key, value in changes.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_official(user):
        raise PermissionDenied
    today = timezone.localdate()
    incentives = list(queue_incentives(user))
    form = QueueFilterForm(request.GET or None, incentives=incentives)
    filters = form.filters() if form.is_bound else QueueFilters()
    try:
        page = review_queue_page(user, filters, cursor=request.GET.get("cursor"), size=QUEUE_PAGE_SIZE, today=today)
    except BadCursor:
        # An edited or outdated link: start again from the first page of the same filters.
        return redirect(reverse("review:queue") + _query(request.GET))
    counts = cached_status_counts(user, filters, lambda: queue_status_counts(user, filters, today=today))
    scope = acting_scope(user)
    handlers = list(department_handlers(user)) if scope.is_handler else []
    rows = []
    listed = current_listings(page.rows)  # 信用审查, live, one query for the page
    for application in page.rows:
        can_handle = scope.can_handle(application)
        rows.append(
            {
                "application": application,
                "overdue": is_overdue(application, today),
                "open": application.status in OPEN_STATUSES,
                "can_assign": can_handle and application.status in OPEN_STATUSES,
                "selectable": can_handle and application.status == Status.SUBMITTED,
                "credit_listing": listed.get(application.applicant_id),
            }
        )
    # Tabs: everything, then each open state with its count; closed states are in the filter.
    tabs: list[dict[str, Any]] = [
        {"label": _("All"), "count": None, "url": _query(request.GET, status=""), "current": not filters.status}
    ]
    for value, label in Status.choices:
        if value in OPEN_STATUSES or value == filters.status:
            tabs.append(
                {
                    "label": label,
                    "count": counts.get(value, 0) if value in OPEN_STATUSES else None,
                    "url": _query(request.GET, status=value),
                    "current": filters.status == value,
                }
            )
    return render(
        request,
        "review/queue.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "tabs": tabs,
            "handlers": handlers,
            "is_handler": scope.is_handler,
            "any_selectable": any(r["selectable"] for r in rows),
            "page_query": _query(request.GET).removeprefix("?"),
            "open_count": sum(counts.values()),
            "status_count": counts.get(filters.status) if filters.status in OPEN_STATUSES else None,
            "today": today,
            # The filter form's fields, kept rendered (about 6 ms of selects): they follow the
            # official's scope (its incentives), the catalog, the language and the query.
            "filters_key": page_key(f"{official_scope(user)}|{request.GET.urlencode()}"),
        },
    )


@login_required
@require_POST
def accept_many(request: HttpRequest) -> HttpResponse:
    """Accepts the selected submitted applications, each on its own; shows what happened to each."""
    user = signed_in_user(request)
    if not is_official(user):
        raise PermissionDenied
    references = [r for r in dict.fromkeys(request.POST.getlist("references")) if r][:ACCEPT_MANY_LIMIT]
    if not references:
        messages.error(request, _("Select at least one submitted application to accept."))
        return redirect(_next_or(request, reverse("review:queue")))
    found = submitted_in(user, references)
    results = applications_accept_many(actor=user, applications=found)
    rows = []
    for reference in references:
        outcome = results.get(reference)
        if outcome is None:
            rows.append(
                {"reference": reference, "found": False, "accepted": False, "message": _("Not found in your queue.")}
            )
        else:
            accepted = outcome == "accepted"
            rows.append(
                {
                    "reference": reference,
                    "found": True,
                    "accepted": accepted,
                    "message": _("Accepted") if accepted else outcome,
                }
            )
    accepted_count = sum(1 for r in rows if r["accepted"])
    return render(
        request,
        "review/accept_many.html",
        {"rows": rows, "accepted_count": accepted_count, "failed_count": len(rows) - accepted_count},
    )
