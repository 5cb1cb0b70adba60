"""What every API endpoint shares: pagination, the error format and its documentation.

Errors are always `{"detail", "code", "errors"}` (see ../shared/API.md), in the request's
language, and the OpenAPI schema documents them beside each success.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="A message for people, in the request's language.")
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. not_found, invalid, conflict.")
    # A declared field, not the `errors` property: the serializer's metaclass moves it into
    # `_declared_fields`, so the property stays; the stubs see only the class attribute.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field name → messages, for 400 responses.",
    )


class Conflict(exceptions.APIException):
    """409: the object changed meanwhile, or the action is not allowed in its current state."""

    status_code = 409
    default_detail = _("This action is not allowed in the object's current state.")
    default_code = "conflict"


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(field): [str(m) for m in (messages if isinstance(messages, list) else [messages])]
            for field, messages in detail.items()
        }
    return {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        body = {"detail": str(_("The request has invalid fields.")), "code": "invalid", "errors": _flatten(exc.detail)}
    else:
        codes = exc.get_codes()
        body = {
            "detail": str(exc.detail if not isinstance(exc.detail, list | dict) else exc.default_detail),
            "code": codes if isinstance(codes, str) else exc.default_code,
            "errors": {},
        }
    response.data = body
    return response
