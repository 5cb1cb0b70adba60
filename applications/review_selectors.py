"""Reads for the officials' side: the review queue, its counts, and the one accessor that 404s.

Every read starts from `permissions.applications_visible_to`, so the pages and the API show an
official exactly what the service layer lets them see; each runs a fixed number of queries
whatever the queue's length.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import ApplicantDeclaration, OfficialRole, User
from accounts.permissions import is_official as accounts_is_official
from measures.models import EligibilityCriterion, Incentive
from portal.keyset import Keyset, KeysetPage, keyset_page

from .models import (
    Application,
    ApplicationDocument,
    ReviewComment,
    Status,
    arrival,
    queue_due_date,
    queue_due_date_within_status,
)
from .permissions import _department_incentives, applications_visible_to
from .states import CITY_STATUSES, OPEN_STATUSES

# The queue's sorts, as keysets (portal/keyset.py), each matched by an index on the same
# expressions (applications/models.py). "deadline": open applications first, soonest due date
# first (a closed one's last date does not count), then the rest; ties by the order of arrival.
# An offer (免申即享) was never submitted: it arrived when it was made.
DUE = queue_due_date()
DUE_WITHIN_STATUS = queue_due_date_within_status()
ARRIVED = arrival()
SORTS = {
    "deadline": Keyset("deadline", (("due", DUE), ("id", F("id")))),
    "submitted": Keyset("submitted", (("arrived", ARRIVED), ("id", F("id")))),
    "-submitted": Keyset("-submitted", (("arrived", ARRIVED), ("id", F("id"))), descending=True),
}


@dataclass(frozen=True)
class QueueFilters:
    """What narrows the queue; every field optional (empty: no filter)."""

    status: str = ""
    incentive: str = ""  # Incentive.code
    measure: int | None = None  # Measure.number
    city: str = ""
    size: str = ""
    overdue: bool = False
    mine: bool = False
    sort: str = "deadline"


def is_official(user: Any) -> bool:
    return accounts_is_official(user)


def _queue_visible(user: Any, status: str | None = None) -> QuerySet[Application]:
    """What the official may see, as their queue lists it: a city bureau's queue is its first review
    (地市初审推荐), the applications of its city still with it. `status`: a tab's, which the caller
    filters by."""
    visible = applications_visible_to(user, incentives_listed=True, status=status)
    if user.official_role in (OfficialRole.CITY_HANDLER, OfficialRole.CITY_APPROVER):
        visible = visible.filter(status__in=CITY_STATUSES)
    return visible


def review_queue_base(user: Any, status: str | None = None) -> QuerySet[Application]:
    """The official's applications (never drafts), with what a queue row shows joined in."""
    return (
        _queue_visible(user, status)
        .exclude(status=Status.DRAFT)
        .select_related("incentive", "incentive__measure", "applicant", "assigned_to")
    )


def _filtered(queryset: QuerySet[Application], user: Any, filters: QueueFilters, today: dt.date) -> QuerySet:
    if filters.incentive:
        queryset = queryset.filter(incentive__code=filters.incentive)
    if filters.measure:
        queryset = queryset.filter(incentive__measure__number=filters.measure)
    if filters.city:
        queryset = queryset.filter(applicant__city=filters.city)
    if filters.size:
        queryset = queryset.filter(applicant__size=filters.size)
    if filters.overdue:
        queryset = queryset.filter(status__in=OPEN_STATUSES, stage_due_on__lt=today)
    if filters.mine:
        queryset = queryset.filter(assigned_to_id=user.pk)
    return queryset


# What a queue row shows: the application's own columns (never the answers, the amount trace or
# the checklist) and the few joined ones.
QUEUE_COLUMNS = (
    "id",
    "reference",
    "status",
    "fiscal_year",
    "submitted_at",
    "created_at",
    "stage_due_on",
    "version",
    "incentive_id",
    "applicant_id",
    "assigned_to_id",
    "proposed_amount",
    "estimated_amount",
    "incentive__code",
    "incentive__name",
    "incentive__name_en",
    "incentive__kind",
    "incentive__measure__number",
    "applicant__name",
    "applicant__city",
    "applicant__size",
    "applicant__kind",
    "applicant__uscc",  # credit screening (信用审查) warns on the row
    "assigned_to__username",
    "assigned_to__display_name",
)


def review_queue(user: Any, filters: QueueFilters | None = None, *, today: dt.date | None = None) -> QuerySet:
    """The queue with its filters applied, unordered: `review_queue_page` orders and pages it."""
    filters = filters or QueueFilters()
    today = today or timezone.localdate()
    queryset = _filtered(review_queue_base(user, filters.status or None), user, filters, today)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return queryset.only(*QUEUE_COLUMNS)


def review_queue_page(
    user: Any,
    filters: QueueFilters | None = None,
    *,
    cursor: str | None = None,
    size: int = 25,
    today: dt.date | None = None,
) -> KeysetPage[Application]:
    """One page of the queue after (or before) `cursor`: one query however deep (raises BadCursor)."""
    filters = filters or QueueFilters()
    return keyset_page(review_queue(user, filters, today=today), queue_keyset(filters), cursor=cursor, size=size)


def queue_keyset(filters: QueueFilters) -> Keyset:
    """The order of the queue's pages under these filters (a cursor of another order is refused)."""
    keyset = SORTS.get(filters.sort, SORTS["deadline"])
    if filters.status and keyset.name == "deadline":
        # The (status, due date, id) index, by its own spelling of the due date (models.py).
        return Keyset("deadline:status", (("status", F("status")), ("due", DUE_WITHIN_STATUS), ("id", F("id"))))
    if filters.status:
        keyset = keyset.after_equal("status", F("status"))
    return keyset


def queue_status_counts(user: Any, filters: QueueFilters | None = None, *, today: dt.date | None = None) -> dict:
    """Open status → number of applications under the other filters (one query), for the tabs.

    Only the open states are counted: they are the work (about one application in twenty) and a
    partial index holds them; counting every closed application of a department would cost more
    than the page itself, so closed states are reached through the status filter, uncounted."""
    filters = filters or QueueFilters()
    today = today or timezone.localdate()
    rows = (
        _filtered(_queue_visible(user).filter(status__in=OPEN_STATUSES), user, filters, today)
        .order_by()
        .values("status")
        .annotate(n=Count("*"))  # COUNT(*): answered from the partial index alone (no row reads)
    )
    return {row["status"]: row["n"] for row in rows}


def is_overdue(application: Application, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(application.status in OPEN_STATUSES and application.stage_due_on and application.stage_due_on < today)


def department_handlers(user: Any) -> QuerySet[User]:
    """The active handlers of the official's department: whom an application can be assigned to."""
    if not getattr(user, "department_id", None):
        return User.objects.none()
    return User.objects.filter(
        department_id=user.department_id, official_role=OfficialRole.HANDLER, is_active=True
    ).order_by("display_name", "username")


def queue_incentives(user: Any) -> QuerySet[Incentive]:
    """The incentives whose applications the official may see (for the queue's filter)."""
    if not is_official(user):
        return Incentive.objects.none()
    if user.official_role in (OfficialRole.HANDLER, OfficialRole.APPROVER) and user.department_id:
        incentives = _department_incentives(user, acting=False)
    else:
        incentives = Incentive.objects.all()
    return incentives.select_related("measure").order_by("measure__number", "position")


_PAGE_JOINS = (
    "incentive",
    "incentive__measure",
    "incentive__handling_department",
    "applicant",
    "applicant__bank_account",
    "assigned_to",
    "proposed_by",
    "decided_by",
    "call",
)


def access_for_review(user: Any, reference: str, *, for_page: bool = False) -> Application:
    """The submitted application by reference if the user may see it; otherwise 404 — the same
    answer for "missing" and "not yours", so nobody can probe references of other departments.
    Drafts are never reachable here (they have no reference and officials never see them).

    `for_page`: with everything the officials' application page lists prefetched.
    """
    queryset = (
        applications_visible_to(user)
        .exclude(status=Status.DRAFT)
        .filter(reference=reference)
        .select_related(*_PAGE_JOINS)
    )
    if for_page:
        queryset = queryset.prefetch_related(
            Prefetch("documents", queryset=ApplicationDocument.objects.select_related("required_document")),
            "incentive__required_documents",
            "incentive__amount_parameters",
            "applicant__qualifications",
            "notices",
            Prefetch("comments", queryset=_comments()),
        )
    try:
        return queryset.get()
    except Application.DoesNotExist:
        raise Http404 from None


def _comments() -> QuerySet[ReviewComment]:
    return ReviewComment.objects.select_related("author").order_by("created_at")


def submitted_in(user: Any, references: list[str]) -> list[Application]:
    """The listed applications the user may see, in the order given (unknown ones left out)."""
    found = {a.reference: a for a in review_queue_base(user).filter(reference__in=references)}
    return [found[r] for r in references if r in found]


__all__ = [
    "OPEN_STATUSES",
    "SORTS",
    "QueueFilters",
    "access_for_review",
    "department_handlers",
    "is_official",
    "is_overdue",
    "queue_incentives",
    "queue_keyset",
    "queue_status_counts",
    "review_queue",
    "review_queue_base",
    "review_queue_page",
    "submitted_in",
]


def declaration_rows(application: Application) -> list[dict[str, Any]]:
    """Each declaration condition of the application's incentive with the applicant's answer
    (None: not declared), for the official who checks them."""
    criteria = EligibilityCriterion.objects.filter(
        incentive_id=application.incentive_id, rule=EligibilityCriterion.Rule.DECLARATION
    ).order_by("position")
    answered = {
        d.criterion_id: d
        for d in ApplicantDeclaration.objects.filter(
            applicant_id=application.applicant_id, criterion__in=criteria
        ).select_related("declared_by")
    }
    return [{"condition": c.localized("text"), "declaration": answered.get(c.pk)} for c in criteria]
