"""The portal's URLs plus views that fail on purpose, for the error pages' tests
(`@pytest.mark.urls("tests.support.error_urls")`)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from portal import urls as portal_urls
from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401 - Django reads them here


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("bad input")


@api_view(["GET"])
def api_fails(request: Request) -> Response:
    raise RuntimeError("a bug in an API view")


urlpatterns = [
    path("test-errors/fails/", fails),
    path("test-errors/refuses/", refuses),
    path("test-errors/suspicious/", suspicious),
    path("api/v1/test-errors/fails/", api_fails),
    path("api/v1/test-errors/plain-fails/", fails),
    path("api/v1/test-errors/suspicious/", suspicious),
    *portal_urls.urlpatterns,
]
