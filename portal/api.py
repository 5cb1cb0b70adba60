"""What every API endpoint shares: pagination, the error format and its documentation.

Errors are always `{"detail", "code", "errors"}` (see ../shared/API.md), in the request's
language, and the OpenAPI schema documents them beside each success.
"""

import codecs
import json
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, serializers
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from .http import client_ip
from .keyset import BadCursor, keyset_page


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        return requested_page_size(request, self.page_size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1  # pages and their sizes count from 1
        return parameters


def requested_page_size(request: Request, default: int, maximum: int) -> int:
    """`?page_size=`: at most `maximum`; a value that is not a whole number of at least 1 is a 400
    (DRF's own would quietly use the default)."""
    value = request.query_params.get("page_size")
    if value is None:
        return default
    try:
        size = int(value)
    except ValueError:
        size = 0
    if size < 1:
        raise exceptions.ValidationError({"page_size": [_("Enter a whole number of rows per page, at least 1.")]})
    return min(size, maximum)


class KeysetPagination(BasePagination):
    """`{"next", "previous", "results"}` with opaque `cursor` links and no count, for lists that
    grow without bound (the review queue): every page costs one query however deep. The view
    says its order with `get_keyset()` (portal/keyset.py)."""

    page_size = Pagination.page_size
    max_page_size = Pagination.max_page_size

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        size = requested_page_size(request, self.page_size, self.max_page_size)
        self.request = request
        try:
            self.page = keyset_page(queryset, view.get_keyset(), cursor=request.query_params.get("cursor"), size=size)
        except BadCursor:
            raise exceptions.ValidationError(
                {"cursor": [_("This cursor does not belong to this list: start again from the first page.")]}
            ) from None
        return self.page.rows

    def _link(self, cursor: str | None) -> str | None:
        return replace_query_param(self.request.build_absolute_uri(), "cursor", cursor) if cursor else None

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Where the page starts: take it from a response's next/previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Rows per page, at most {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


class AddressRateThrottle(SimpleRateThrottle):
    """A rate per client address, signed in or not (an account must not lift it), for pages and
    the API alike. The address is portal.http.client_ip's: REST framework's own would believe a
    client-sent X-Forwarded-For when no proxy is configured, opening a bucket per forged value.
    Subclasses name their `scope` and `rate` (default: the anonymous rate)."""

    scope = "anon"

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or "unknown"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


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


class JSONParser(parsers.JSONParser):
    """JSON whose decimals stay as written: 500000.00 is Decimal("500000.00"), and 1e9 arrives as
    Decimal("1E+9"), which AmountField can tell from a plain figure (a float would hide it)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.load(
                codecs.getreader(encoding)(stream), parse_float=Decimal, parse_constant=json_strict_constant
            )
        except ValueError as exc:
            raise exceptions.ParseError(_("The request is not valid JSON: %(error)s") % {"error": exc}) from exc


def json_strict_constant(value: str) -> Any:
    raise ValueError(f"{value} is not a number JSON allows")


PLAIN_AMOUNT = re.compile(r"\d{1,16}(\.\d{1,2})?")


class AmountField(serializers.DecimalField):
    """An amount in CNY written as a plain decimal: 500000 or 500000.00. Exponents (1e9), NaN,
    infinities, thousands separators and 万 are refused with a message that says how to write it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        text = str(data).strip() if isinstance(data, str | int | Decimal) and not isinstance(data, bool) else None
        if text is None or not PLAIN_AMOUNT.fullmatch(text):
            raise exceptions.ValidationError(
                _("Write the amount in yuan as a plain number such as 500000 or 500000.00 (not “%(value)s”).")
                % {"value": str(data)[:40]},
                code="invalid_amount",
            )
        value: Decimal = super().to_internal_value(text)
        return value
