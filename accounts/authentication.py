"""The API's key scheme, `Authorization: Token <key>` (django-rest-knox): the key is checked
against its stored hash; an expired key is deleted on its first use and answers 401 like an
unknown one. Who gets a key, and when keys are revoked: accounts/tokens.py."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth as knox_auth
from rest_framework import exceptions
from rest_framework.request import Request


class TokenAuthentication(knox_auth.TokenAuthentication):
    def _cleanup_token(self, auth_token: Any) -> bool:
        """Only the key presented: knox also read every other key of the user on each request to
        delete the expired ones, a query per API call (issue 10); beat deletes them nightly
        (accounts.tasks.delete_expired_api_keys). True when the key presented has expired."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        try:
            return super().authenticate(request)  # type: ignore[no-any-return]
        except exceptions.AuthenticationFailed:
            # knox's own messages are English only; and unknown, expired or revoked say the same.
            raise exceptions.AuthenticationFailed(_("The API key is not valid or has expired.")) from None


class TokenScheme(OpenApiAuthenticationExtension):
    """The scheme in the OpenAPI schema, under the name DRF's token scheme had."""

    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        definition: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106 — the scheme's name, not a secret
        )
        return definition
