"""Password guessing and account probing: django-axes' lockout with the portal's two limits, the
lockout answer in the portal's words and the API's format, the audit of failed sign-ins, and the
registration throttle.

Every count keys on the address portal.http.client_ip gives (AXES_CLIENT_IP_CALLABLE): a forged
X-Forwarded-For opens no new bucket. Nothing here says whether an account exists: a username no
account has is counted, locked and answered exactly like one that does.
"""

import datetime as dt
from types import SimpleNamespace
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework import exceptions

from audit.services import audit_record
from portal.api import AddressRateThrottle
from portal.http import client_ip

from .models import User

LOCKED_OUT_CODE = "locked_out"


class LoginFailureHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit per account and another per address.

    django-axes compares one failure count with one limit (AXES_FAILURE_LIMIT). With the lockout
    parameters ["username", "ip_address"] it counts per account and per address; the address's
    count is scaled here so that it reaches AXES_FAILURE_LIMIT exactly when it reaches
    LOGIN_FAILURES_PER_ADDRESS (an office behind one address may mistype more than one person)."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # One count per lockout parameter, in AXES_LOCKOUT_PARAMETERS' order: account, address.
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        per_account, per_address = [*counts, 0, 0][:2]
        account_limit = int(settings.AXES_FAILURE_LIMIT)
        address_limit = max(int(settings.LOGIN_FAILURES_PER_ADDRESS), 1)
        # floor(n × A / B) ≥ A exactly when n ≥ B.
        return max(per_account, per_address * account_limit // address_limit)


def lockout_minutes(request: Any = None) -> int:
    cool_off = get_cool_off(request) or dt.timedelta(minutes=15)
    return max(1, -(-int(cool_off.total_seconds()) // 60))


def lockout_message(request: Any = None) -> str:
    minutes = lockout_minutes(request)
    return ngettext(
        "Too many unsuccessful sign-in attempts. Signing in is paused for %(minutes)s minute: "
        "try again later, or reset your password.",
        "Too many unsuccessful sign-in attempts. Signing in is paused for %(minutes)s minutes: "
        "try again later, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


class LockedOut(exceptions.APIException):
    """429 in the API's format (code `locked_out`), with Retry-After (REST framework sets it from `wait`)."""

    status_code = 429
    default_code = LOCKED_OUT_CODE

    def __init__(self, request: Any = None) -> None:
        super().__init__(detail=lockout_message(request), code=LOCKED_OUT_CODE)
        self.wait = lockout_minutes(request) * 60


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the API's error format under /api/, the sign-in page elsewhere; 429."""
    message = lockout_message(request)
    if request.path.startswith("/api/v1/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": LOCKED_OUT_CODE, "errors": {}}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(lockout_minutes(request) * 60)
    return response


def login_failure_audit(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """Receiver of Django's user_login_failed: an audit event with the username tried, the address
    and whether the attempt was refused for lockout; never the password (Django has already
    masked it, and only the username is read here)."""
    if request is None:
        return
    username = str(credentials.get("username") or "")[:150]
    account = User.objects.filter(username=username).first() if username else None
    # A username no account has is recorded against no account: the event says what was tried.
    target = account or SimpleNamespace(_meta=User._meta, pk="")
    audit_record(
        actor="anonymous",
        action="user.login_failed",
        obj=target,
        after={
            "username": username,
            "path": str(getattr(request, "path", ""))[:200],
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
        ip_address=client_ip(request),
        visible_to_applicant=False,
    )


class RegistrationRateThrottle(AddressRateThrottle):
    """Registration attempts per address, pages and API together (one bucket per address), so
    that "this username / credit code is taken" cannot be collected in bulk."""

    scope = "registration"

    def get_rate(self) -> str:
        return str(settings.REGISTRATION_RATE)


def registration_throttled(request: HttpRequest) -> int | None:
    """Counts one registration attempt from the request's address; the seconds to wait when over the rate."""
    throttle = RegistrationRateThrottle()
    if throttle.allow_request(request, None):  # type: ignore[arg-type]  # a page, no APIView: it reads META
        return None
    return int(throttle.wait() or 3600)


def registration_throttled_message(wait: int) -> str:
    minutes = max(1, -(-wait // 60))
    return ngettext(
        "Too many registration attempts from your network. Try again in %(minutes)s minute.",
        "Too many registration attempts from your network. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


__all__ = [
    "LOCKED_OUT_CODE",
    "LockedOut",
    "LoginFailureHandler",
    "RegistrationRateThrottle",
    "lockout_message",
    "lockout_response",
    "login_failure_audit",
    "registration_throttled",
    "registration_throttled_message",
]
