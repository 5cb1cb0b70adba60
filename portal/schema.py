"""OpenAPI schema generation: documents the error responses beside each success.

Kept apart from portal.api because DRF imports the pagination class while drf-spectacular
imports DRF's generics: one module importing both would be circular.

Which errors an operation documents follows from what DRF and the portal do, not from a guess
per view (tests/test_api_contract.py sends every operation generated requests to prove it):
- 400 whenever the client sends something that is validated: a body, query parameters or filters;
- 401 everywhere: a token that is unknown, expired or revoked is refused before any view runs;
- 403 unless the operation is a read open to anyone (signed in but not allowed; a session
  without its CSRF token);
- 404 with path parameters (the object is missing or not the caller's) and on numbered pages
  (a page past the last);
- 409 and 415 on writes (the state does not allow the action; a body in a media type not accepted);
- 429 everywhere (throttles).
"""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly

from .api import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `errors` names each field. Any request with a NUL character or an unpaired "
    "surrogate (in the address, the query, a field or a JSON string) is refused with code `invalid_characters`.",
    "401": "Not signed in, or the token is unknown, expired or revoked.",
    "403": "Signed in, but not allowed.",
    "404": "Not found (also for objects the caller may not know of, and pages past the last).",
    "409": "The object changed meanwhile, or the action is not allowed in its current state.",
    "413": "Too large: a file over 20 MB, or a body over what the portal accepts (code `too_large`).",
    "415": "The body is in a media type this operation does not accept.",
    "429": "Too many requests.",
}

# Permissions that let anyone read: a safe request is refused by none of them.
_OPEN_FOR_READING = (AllowAny, IsAuthenticatedOrReadOnly)


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses each operation can give, so clients see more than the 2xx."""

    def _error_codes(self) -> list[str]:
        # Any request may carry characters that cannot be stored (portal/middleware.py): 400.
        codes = ["400", "401", "429"]
        writes = self.method not in SAFE_METHODS
        open_for_reading = all(isinstance(p, _OPEN_FOR_READING) for p in self.view.get_permissions())
        if writes or not open_for_reading:
            codes.append("403")
        paginated = self._is_list_view() and isinstance(self._get_paginator(), PageNumberPagination)
        if "{" in self.path or paginated:
            codes.append("404")
        if writes:
            codes += ["409", "413", "415"]
        # What only the view knows (e.g. 404 for "you have no bank account yet"): `schema_error_codes`.
        return codes + [c for c in getattr(self.view, "schema_error_codes", ()) if c not in codes]

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses


def optional_query_values_may_be_empty(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: an optional query parameter sent empty (`?status=`) is read as not sent
    (DRF does so for query strings and forms), so its schema allows "" beside its values."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query" or parameter.get("required") or schema.get("type") != "string":
                    continue
                schema.pop("minLength", None)
                if "enum" in schema and "" not in schema["enum"]:
                    schema["enum"] = [*schema["enum"], ""]
    return result
