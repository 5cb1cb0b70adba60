"""What an official's role lets them do, decided here once for every app."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication
from accounts.models import OfficialRole, User


def signed_in_user(request: HttpRequest | Request) -> User:
    """`request.user` in a view that lets only signed-in users in (login_required, IsAuthenticated,
    the admin's staff check): the portal's User, never AnonymousUser."""
    user = request.user
    assert isinstance(user, User), "only signed-in users reach this view"
    return user


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_administrator(user: Any) -> bool:
    """The portal's administrators: the role, or a Django superuser (who set the portal up)."""
    return _signed_in(user) and (user.is_superuser or user.official_role == OfficialRole.ADMINISTRATOR)


def administrator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for administrators: others signed in get 403, anonymous users the sign-in page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_administrator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def is_finance(user: Any) -> bool:
    """Finance officers (省财政厅) of the disbursement."""
    return _signed_in(user) and user.official_role == OfficialRole.FINANCE


def is_department_official(user: Any, department_id: int | None = None) -> bool:
    """A handler or approver of a department (of `department_id`, when given)."""
    return bool(
        _signed_in(user)
        and user.official_role in (OfficialRole.HANDLER, OfficialRole.APPROVER)
        and user.department_id
        and (department_id is None or user.department_id == department_id)
    )


def is_official(user: Any) -> bool:
    """Anyone who works for the portal's side: every official role, and administrators."""
    return _signed_in(user) and bool(user.official_role or user.is_superuser)


class FinanceOnly(permissions.BasePermission):
    message = gettext_lazy("Only finance officers handle disbursement.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_finance(request.user)


class _FinanceAPI(APIView):
    """Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated, FinanceOnly]


def may_verify_enterprises(user: Any) -> bool:
    """Who checks business licences (enterprise verification and claims of a credit code): the
    administrators, and the handlers and approvers of the departments named in
    ENTERPRISE_VERIFICATION_DEPARTMENTS (the market regulator, which issues the licences)."""
    from django.conf import settings

    if is_administrator(user):
        return True
    department = getattr(user, "department", None) if is_department_official(user) else None
    return department is not None and department.code in settings.ENTERPRISE_VERIFICATION_DEPARTMENTS


def landing_url_name(user: Any) -> str:
    """Where a user lands after signing in: their workspace. Applicants: their applications,
    offers and tasks due; department and city officials: the review queue; finance: the
    payment batches (budgets are one link away); administrators: the dashboard; anybody else
    (a signed-in user without an applicant or a role): the public catalog."""
    if not _signed_in(user):
        return "measures:catalog"
    if getattr(user, "applicant_id", None):
        return "dashboard:home"
    if is_administrator(user):
        return "reports:dashboard"
    if user.official_role == OfficialRole.FINANCE:
        return "disbursement:batches"
    if user.official_role in {
        OfficialRole.HANDLER,
        OfficialRole.APPROVER,
        OfficialRole.CITY_HANDLER,
        OfficialRole.CITY_APPROVER,
    }:
        return "review:queue"
    return "measures:catalog"
