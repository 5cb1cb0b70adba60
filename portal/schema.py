"""OpenAPI schema generation: documents the error responses beside each success.

Kept apart from portal.api because DRF imports the pagination class while drf-spectacular
imports DRF's generics: one module importing both would be circular.
"""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from .api import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `errors` names each field. Any request with a NUL character or an unpaired "
    "surrogate (in the address, the query, a field or a JSON string) is refused with code `invalid_characters`.",
    "401": "Not signed in.",
    "403": "Signed in, but not allowed.",
    "404": "Not found (also for objects the caller may not know of).",
    "409": "The object changed meanwhile, or the action is not allowed in its current state.",
    "413": "Too large: a file over 20 MB, or a body over what the portal accepts (code `too_large`).",
    "429": "Too many requests.",
}


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses each operation can give, so clients see more than the 2xx."""

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        # Any request may carry characters that cannot be stored (portal/middleware.py): 400.
        codes = ["400", "429"]
        if "{" in self.path:
            codes.append("404")
        if self.method in {"POST", "PUT", "PATCH", "DELETE"}:
            codes += ["401", "403", "409", "413"]
        elif any(getattr(p, "requires_authentication", False) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses
