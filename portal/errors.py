"""The portal's error responses: branded pages in the reader's language, and for every `/api/` path
the API's error format (`{"detail", "code", "errors"}`, ../shared/API.md) — unknown paths and
server errors included, which Django would otherwise answer with an HTML page.

Wired as Django's handler400/403/404/500 (portal/urls.py) and CSRF_FAILURE_VIEW; the input guard
(portal/middleware.py) answers through `error_response` too. 400 and 500 pages are rendered without
the request's context (the request may be what is broken), 403 and 404 with the site's navigation.
"""

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_response(
    request: HttpRequest,
    status: int,
    *,
    code: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    title: str = "",
    with_context: bool = False,
) -> HttpResponse:
    """JSON in the API's format under /api/, else the page `<status>.html` (400.html for 413)."""
    if is_api(request):
        body = {"detail": detail, "code": code, "errors": errors or {}}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    template = loader.get_template("400.html" if status == 413 else f"{status}.html")
    context = {"title": title, "detail": detail, "errors": errors or {}, "status": status, "code": code}
    html = template.render(context, request if with_context else None)
    return HttpResponse(html, status=status)


def too_large(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """413: an upload beyond the limit (the message the upload checks give), or a form or JSON body
    beyond Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""
    from .uploads import MAX_BYTES, UploadTooLarge

    if exception is None or isinstance(exception, UploadTooLarge):
        detail = _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}
    else:
        detail = _("The request is larger than the portal accepts.")
    return error_response(request, 413, code="too_large", detail=detail, title=_("The request is too large"))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return too_large(request, exception)
    return error_response(
        request,
        400,
        code="bad_request",
        detail=_("The portal could not understand this request. Go back, check what you entered and try again."),
        title=_("Bad request"),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(
        request,
        403,
        code="permission_denied",
        detail=_("You do not have permission to perform this action."),
        title=_("You may not see this page"),
        with_context=True,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(
        request,
        404,
        code="not_found",
        detail=_("Not found."),
        title=_("Page not found"),
        with_context=True,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(
        request,
        500,
        code="server_error",
        detail=_("Something went wrong on our side. It has been recorded; please try again later."),
        title=_("Something went wrong"),
    )


def csrf_failure(request: HttpRequest, reason: str = "", **kwargs: Any) -> HttpResponse:
    logger.info("CSRF refused %s: %s", request.path, reason)
    return error_response(
        request,
        403,
        code="csrf_failed",
        detail=_(
            "The form had expired or your browser did not send its security cookie. "
            "Go back, reload the page and try again."
        ),
        title=_("The form could not be sent"),
        with_context=True,
    )
