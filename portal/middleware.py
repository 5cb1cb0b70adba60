"""Input that cannot be stored is refused before any view sees it.

PostgreSQL's text cannot hold a NUL character, and no UTF-8 column can hold an unpaired surrogate
(JSON may spell one, "\\ud800"): a value carrying either would end in a server error wherever it
reached the database. So every request is checked once, whatever form or endpoint it is for — the
address, the query string, form fields (urlencoded or multipart), JSON bodies and uploaded files'
names — and refused with 400 (the API's error JSON under /api/, the error page elsewhere), naming
the field. A multipart request beyond the upload limit is answered with 413 before its body is
read (portal/uploads.py's SizeLimitUploadHandler stops a file that grows past it).
"""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.translation import gettext as _

from .errors import error_response, too_large
from .uploads import max_request_bytes

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every key and string inside a parsed JSON document."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, str(key)
            yield from _strings(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def _form_strings(data: QueryDict) -> Iterator[tuple[str, str]]:
    for key, values in data.lists():
        yield key, key
        for value in values:
            yield key, value


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _body_strings(request: HttpRequest) -> Iterator[tuple[str, str]]:
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        post: QueryDict
        if request.method == "POST":
            post, files = request.POST, request.FILES
        else:
            # Django parses only POST bodies; REST framework's parsers would parse a PUT or PATCH
            # later. Parsed here instead, and left where REST framework looks for a body already read.
            post, files = MultiPartParser(request.META, request, request.upload_handlers, request.encoding).parse()
            request._post, request._files = post, files  # type: ignore[attr-defined]
        yield from _form_strings(post)
        for field, uploads in files.lists():
            for upload in uploads:
                yield field, upload.name or ""
    elif content_type == "application/x-www-form-urlencoded":
        yield from _form_strings(request.POST if request.method == "POST" else QueryDict(request.body))
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(request.body.decode(request.encoding or "utf-8"))
        except ValueError:
            return  # not JSON: the endpoint's parser says so (400)
        yield from _strings(document, "")


def unstorable_field(request: HttpRequest) -> str | None:
    """The name of the first field (or "path") holding a NUL or an unpaired surrogate, else None."""
    if UNSTORABLE.search(request.path_info):
        return "path"
    for where, text in _form_strings(request.GET):
        if UNSTORABLE.search(text):
            return where
    if _content_length(request) or request.content_type in FORM_TYPES:
        for where, text in _body_strings(request):
            if UNSTORABLE.search(text):
                return where
    return None


class RefuseUnstorableInputMiddleware:
    """After LocaleMiddleware (the answer is in the reader's language), before anything that reads
    the body (CSRF, the views)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.content_type == "multipart/form-data" and _content_length(request) > max_request_bytes():
            return too_large(request)
        try:
            field = unstorable_field(request)
        except RequestDataTooBig as exc:
            return too_large(request, exc)
        if field is not None:
            message = _(
                "“%(field)s” contains a character that cannot be stored (a NUL character or an unpaired "
                "surrogate). Remove it and send again."
            ) % {"field": field}
            return error_response(
                request,
                400,
                code="invalid_characters",
                detail=_("The request contains characters that cannot be stored."),
                errors={field: [message]},
                title=_("The request contains characters that cannot be stored"),
            )
        return self.get_response(request)
