"""What an official's role lets them do, decided here once for every app."""

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.request import Request

from accounts.models import OfficialRole


def is_finance(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.official_role == OfficialRole.FINANCE


class FinanceOnly(permissions.BasePermission):
    message = gettext_lazy("Only finance officers handle disbursement.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_finance(request.user)


class _FinanceAPI:
    """Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated, FinanceOnly]
