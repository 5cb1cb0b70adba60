"""The public catalog's whole answers are shared between visitors who carry nothing personal
(measures.caching.shared_answer), and never with anyone else: a signed-in visitor, a visitor with
a message waiting, an API key, an answer that used a CSRF token."""

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.views import APIView

from measures.caching import shared_answer
from measures.models import Measure

pytestmark = pytest.mark.django_db

PAGES = ["/", "/?q=质量&kind=fixed_grant", "/departments/"]
APIS = ["/api/v1/measures/", "/api/v1/departments/", "/api/v1/incentives/?measure=17"]


def _visit(client: Client, url: str, **headers: str) -> tuple[int, HttpResponse]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("url", PAGES + APIS)
def test_an_anonymous_visit_is_answered_whole_from_the_cache(url: str, monkeypatch) -> None:
    api_views: list[object] = []
    dispatch = APIView.dispatch
    monkeypatch.setattr(APIView, "dispatch", lambda self, *a, **k: api_views.append(self) or dispatch(self, *a, **k))
    first_queries, first = _visit(Client(), url)
    ran = (len(api_views), len(first.templates))
    # Another visitor, without cookies: no query, no template, no REST framework: the same bytes.
    queries, again = _visit(Client(), url)
    assert first_queries > 0 and sum(ran) > 0
    assert (queries, len(api_views), len(again.templates)) == (0, ran[0], 0)
    assert again.content == first.content
    # Nobody's browser or proxy keeps it past the catalog's version, and a signed-in visitor's
    # answer at the same address differs by cookie.
    for response in (first, again):
        assert "Cache-Control" not in response and "Expires" not in response
        assert "Cookie" in response["Vary"]
        assert settings.CSRF_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("url", PAGES)
def test_a_shared_page_holds_no_csrf_token_and_the_language_switch_needs_none(url: str) -> None:
    html = Client().get(url).content.decode()
    assert "csrfmiddlewaretoken" not in html and 'id="language-switch"' in html
    visitor = Client(enforce_csrf_checks=True)
    switched = visitor.post("/i18n/setlang/", {"language": "en", "next": url})
    assert switched.status_code == 302 and visitor.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert 'lang="en"' in visitor.get(url).content.decode()


def test_each_language_is_its_own_answer() -> None:
    zh = Client().get("/departments/").content.decode()
    en = Client(HTTP_ACCEPT_LANGUAGE="en").get("/departments/").content.decode()
    assert 'lang="zh-Hans"' in zh and 'lang="en"' in en


def test_a_change_to_the_catalog_is_seen_by_the_next_visitor() -> None:
    Client().get("/")
    Client().get("/api/v1/measures/")
    measure = Measure.objects.get(number=17)
    measure.title = "新的措施标题"
    measure.save()
    assert "新的措施标题" in Client().get("/").content.decode()
    assert "新的措施标题" in Client().get("/api/v1/measures/").content.decode()


def test_a_signed_in_visitor_neither_gets_nor_leaves_a_shared_page(handler) -> None:
    anonymous = Client().get("/").content.decode()
    signed_in = Client()
    signed_in.force_login(handler)
    own = signed_in.get("/").content.decode()
    assert handler.username in own and handler.username not in anonymous
    # Their page (with their name and their CSRF token) is kept for nobody else.
    signed_in.get("/departments/")
    assert handler.username not in Client().get("/departments/").content.decode()


def test_an_api_key_is_still_checked() -> None:
    Client().get("/api/v1/measures/")
    refused = Client().get("/api/v1/measures/", HTTP_AUTHORIZATION="Token not-a-key")
    assert refused.status_code == 401


def _counting_view(calls: list[HttpRequest], *, uses_token: bool = False):
    def view(request: HttpRequest) -> HttpResponse:
        calls.append(request)
        return HttpResponse(get_token(request) if uses_token else "the same for everyone")

    return shared_answer(view)


def test_an_answer_that_used_a_csrf_token_is_not_kept() -> None:
    calls: list[HttpRequest] = []
    view = _counting_view(calls, uses_token=True)
    first, second = view(RequestFactory().get("/x/")), view(RequestFactory().get("/x/"))
    assert len(calls) == 2 and first.content != second.content
    assert "private" in second["Cache-Control"]


@pytest.mark.parametrize(
    "cookie", [settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name], ids=["session", "message waiting"]
)
def test_a_visitor_with_a_session_or_a_message_waiting_gets_their_own_answer(cookie: str) -> None:
    calls: list[HttpRequest] = []
    view = _counting_view(calls)
    view(RequestFactory().get("/x/"))
    view(RequestFactory().get("/x/"))
    assert len(calls) == 1, "shared between visitors with nothing personal"
    personal = RequestFactory().get("/x/")
    personal.COOKIES[cookie] = "anything"
    view(personal)
    view(RequestFactory().post("/x/"))
    assert len(calls) == 3, "a personal visit and a POST each run the view"
