"""Views for tests/measures/test_shared_answer.py: marked `shared_answer`, each counting its runs."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from measures.caching import shared_answer

runs: list[str] = []


@shared_answer
def same_for_everyone(request: HttpRequest) -> HttpResponse:
    runs.append("same")
    return HttpResponse("the same for everyone")


@shared_answer
def uses_a_token(request: HttpRequest) -> HttpResponse:
    runs.append("token")
    return HttpResponse(get_token(request))


@shared_answer
def leaves_a_message(request: HttpRequest) -> HttpResponse:
    runs.append("message")
    messages.info(request, "for this visitor only")
    return HttpResponse("a message is waiting")


@shared_answer
def not_found(request: HttpRequest) -> HttpResponse:
    runs.append("404")
    return HttpResponse("no such thing", status=404)


urlpatterns = [
    path("same/", same_for_everyone),
    path("token/", uses_a_token),
    path("message/", leaves_a_message),
    path("missing/", not_found),
]
