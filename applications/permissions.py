"""Who may see and act on which application: one place, used by pages, the API and services.

- An applicant's users see their own applications and act as the applicant.
- Officials (handler, approver) see the non-draft applications of the incentives their
  department handles, or to which an administrator granted their department access; a "review"
  grant lets them act too, a "read" grant only read. A declared conflict of interest with the
  applicant takes away every action.
- Finance officers see applications from approval on; administrators see every non-draft one.
- City bureau officials (地市初审推荐) see the non-draft applications of calls reviewed by the city
  first whose applicant is registered in their city, and act on them as the city's handler or
  approver. The provincial department does not see an application while it is with the city
  (CITY_STATUSES): only what the city recommended reaches it, as "submitted".
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import ConflictOfInterest, OfficialRole
from accounts.permissions import is_administrator
from calls.models import Call
from measures.caching import catalog_version
from measures.models import Incentive, IncentiveAccess

from .models import Application, Status
from .states import CITY_STATUSES
from .workflow import Role, city_first

FINANCE_STATUSES = (
    Status.APPROVED,
    Status.ANNOUNCED,
    Status.FINAL,
    Status.PAID,
    Status.PAYMENT_FAILED,
    Status.PAYMENT_CANCELLED,
    Status.RECOVERING,
    Status.RECOVERED,
)


def _department_incentives(user: Any, *, acting: bool) -> QuerySet[Incentive]:
    granted = IncentiveAccess.objects.filter(department_id=user.department_id)
    if acting:
        granted = granted.filter(level=IncentiveAccess.Level.REVIEW)
    return Incentive.objects.filter(
        Q(handling_department_id=user.department_id) | Q(pk__in=granted.values("incentive_id"))
    )


# A department's visible incentive ids, in this process, by catalog version (any change of the
# catalog or its grants moves it, so an old entry is never read again): asked on every queue request.
_VISIBLE_INCENTIVES: dict[tuple[str, int], list[int]] = {}


def visible_incentive_ids(user: Any, catalog: str | None = None) -> list[int]:
    """The ids of the incentives a department's officials see (handled or granted). `catalog`: the
    catalog's version when the caller has just read it (measures/caching.py)."""
    key = (catalog or catalog_version(), user.department_id)
    if key not in _VISIBLE_INCENTIVES:
        if len(_VISIBLE_INCENTIVES) > 1000:
            _VISIBLE_INCENTIVES.clear()
        _VISIBLE_INCENTIVES[key] = list(_department_incentives(user, acting=False).values_list("pk", flat=True))
    return _VISIBLE_INCENTIVES[key]


def applications_visible_to(
    user: Any, *, incentives_listed: bool = False, status: str | None = None
) -> QuerySet[Application]:
    """What the user may see. `incentives_listed`: a department's incentives as a list of ids (from
    the cache, `visible_incentive_ids`) rather than a subquery, for the long lists: the
    planner then walks the list's index and stops at the page, where a subquery made it join
    every row of the department first. `status`: the caller asks for this one status only (a
    queue's tab) and filters by it itself; the province's query then names no other status, which
    is the query the status index serves."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    if user.applicant_id:
        return Application.objects.filter(applicant_id=user.applicant_id)
    role = user.official_role
    if is_administrator(user):
        return Application.objects.exclude(status=Status.DRAFT)
    if role == OfficialRole.FINANCE:
        return Application.objects.filter(status__in=FINANCE_STATUSES)
    if role in CITY_ROLES:
        if not user.city:
            return Application.objects.none()
        return Application.objects.exclude(status=Status.DRAFT).filter(
            applicant__city=user.city, call__review_path=Call.ReviewPath.CITY_FIRST
        )
    if role in (OfficialRole.HANDLER, OfficialRole.APPROVER) and user.department_id:
        incentives: Any = _department_incentives(user, acting=False)
        if incentives_listed:
            incentives = visible_incentive_ids(user)
        # Still with the city bureau: not the province's yet (nor ever, when not recommended).
        hidden = (Status.DRAFT, *CITY_STATUSES)
        if status is not None:
            if status in hidden:
                return Application.objects.none()
            return Application.objects.exclude(status=Status.DRAFT).filter(incentive__in=incentives)
        return Application.objects.exclude(status__in=hidden).filter(incentive__in=incentives)
    return Application.objects.none()


@dataclass(frozen=True)
class ActingScope:
    """Where an official may act: the incentives their department handles (or was granted review
    on) and the applicants they declared a conflict of interest with. `roles_for` asks it about
    one application; a queue page loads it once (two queries) for all its rows."""

    role: str | None  # Role.HANDLER or Role.APPROVER; None: acts on no application
    incentive_ids: frozenset[int]
    conflicted_applicant_ids: frozenset[int]

    def roles(self, application: Application) -> set[str]:
        if (
            self.role is None
            or application.incentive_id not in self.incentive_ids
            or application.applicant_id in self.conflicted_applicant_ids
        ):
            return set()
        return {self.role}

    @property
    def is_handler(self) -> bool:
        return self.role == Role.HANDLER

    def can_handle(self, application: Application) -> bool:
        return Role.HANDLER in self.roles(application)


NOWHERE = ActingScope(None, frozenset(), frozenset())


def acting_scope(user: Any) -> ActingScope:
    roles: dict[str, str] = {OfficialRole.HANDLER: Role.HANDLER, OfficialRole.APPROVER: Role.APPROVER}
    role = roles.get(getattr(user, "official_role", ""))
    if role is None or not getattr(user, "department_id", None) or not getattr(user, "is_authenticated", False):
        return NOWHERE
    incentive_ids = frozenset(_department_incentives(user, acting=True).values_list("pk", flat=True))
    conflicts = frozenset(ConflictOfInterest.objects.filter(official=user).values_list("applicant_id", flat=True))
    return ActingScope(role, incentive_ids, conflicts)


CITY_ROLES = {OfficialRole.CITY_HANDLER: Role.CITY_HANDLER, OfficialRole.CITY_APPROVER: Role.CITY_APPROVER}


def city_roles(user: Any, application: Application) -> set[str]:
    """A city bureau official's role on an application of their city reviewed by the city first;
    a declared conflict of interest with the applicant takes it away."""
    role = CITY_ROLES.get(user.official_role)
    if role is None or not user.city or not city_first(application) or application.applicant.city != user.city:
        return set()
    if ConflictOfInterest.objects.filter(official=user, applicant_id=application.applicant_id).exists():
        return set()
    return {role}


def roles_for(user: Any, application: Application) -> set[str]:
    """The workflow roles the user holds on this application (empty: may only look, or not even)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.applicant_id:
        return {Role.APPLICANT} if user.applicant_id == application.applicant_id else set()
    if user.official_role == OfficialRole.FINANCE:
        return {Role.FINANCE}
    if user.official_role in CITY_ROLES:
        return city_roles(user, application)
    # The province acts on an application only once the city (if any) let it through.
    if application.status in CITY_STATUSES:
        return set()
    return acting_scope(user).roles(application)
