"""Government single sign-on by OpenID Connect (mozilla-django-oidc), for enterprises.

On only when its settings are given (OIDC_RP_CLIENT_ID and the provider's endpoints; README,
"Configuring production"): then the backend is in AUTHENTICATION_BACKENDS, the sign-in page offers
the button and /accounts/sso/ starts and ends the flow; otherwise those pages are 404. The provider
(Guangdong's unified identity for legal persons) asserts the enterprise's credit code and name in
the claims OIDC_CLAIM_CREDIT_CODE and OIDC_CLAIM_ENTERPRISE_NAME; `accounts.identity.sso_sign_in`
decides what they mean. Users are found by the provider's subject ("sub"), never by email.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]
from mozilla_django_oidc.views import (  # type: ignore[import-untyped]
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .identifiers import validate_uscc
from .identity import sso_sign_in
from .models import User


def sso_enabled() -> bool:
    """Whether the government single sign-on is configured (read at each call: tests change settings)."""
    return all(
        getattr(settings, name, "")
        for name in (
            "OIDC_RP_CLIENT_ID",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
        )
    )


def _claim(claims: dict[str, Any], setting: str) -> str:
    value = claims.get(getattr(settings, setting))
    return value.strip() if isinstance(value, str) else ""


class GovernmentSSOBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the enterprise's claims: a user per subject, joined to the
    enterprise the provider names."""

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        return f"subject {claims.get('sub')}"

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """A subject, a valid credit code and a name: anything less signs nobody in."""
        if not isinstance(claims.get("sub"), str) or not claims["sub"].strip():
            return False
        try:
            validate_uscc(_claim(claims, "OIDC_CLAIM_CREDIT_CODE"))
        except ValidationError:
            return False
        return bool(_claim(claims, "OIDC_CLAIM_ENTERPRISE_NAME"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            return User.objects.none()
        return User.objects.filter(sso_subject=subject.strip())

    def create_user(self, claims: dict[str, Any]) -> User:
        return self._sign_in(claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return self._sign_in(claims)

    def _sign_in(self, claims: dict[str, Any]) -> User:
        try:
            return sso_sign_in(
                subject=str(claims.get("sub") or ""),
                uscc=_claim(claims, "OIDC_CLAIM_CREDIT_CODE"),
                name=_claim(claims, "OIDC_CLAIM_ENTERPRISE_NAME"),
                email=_claim(claims, "OIDC_CLAIM_EMAIL"),
                email_verified=claims.get("email_verified") is True,
            )
        except (ValidationError, PermissionDenied) as refused:
            # The library turns this into a failed sign-in (back to the sign-in page).
            raise SuspiciousOperation(f"single sign-on refused: {refused}") from refused


_start = OIDCAuthenticationRequestView.as_view()
_callback = OIDCAuthenticationCallbackView.as_view()


def sso_start(request: HttpRequest) -> HttpResponse:
    """Sends the browser to the identity provider (404 when single sign-on is not configured)."""
    if not sso_enabled():
        raise Http404
    response: HttpResponse = _start(request)
    return response


def sso_callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back with the code; signs the user in."""
    if not sso_enabled():
        raise Http404
    response: HttpResponse = _callback(request)
    return response
