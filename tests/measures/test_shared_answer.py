"""The public catalog's whole answers are shared between visitors who carry nothing personal
(measures.caching.shared_answer), and never with anyone else: a signed-in visitor, a visitor with
a message waiting, an API key, an answer that used a CSRF token."""

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.views import APIView

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
    # The same headers as the answer built (security headers, CSP, language); only the values
    # that are each visit's own (the request id) may differ.
    assert sorted(again.headers) == sorted(first.headers)
    for header in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Content-Type"):
        assert again[header] == first[header]
    # Nobody's browser or proxy keeps it past the catalog's version, and a signed-in visitor's
    # answer at the same address differs by cookie.
    for response in (first, again):
        assert "Cache-Control" not in response and "Expires" not in response
        assert "Cookie" in response["Vary"] and "Accept-Language" in response["Vary"]
        assert response["Content-Language"] == "zh-hans"
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


@pytest.fixture
def runs():
    from tests.measures import shared_answer_urls

    shared_answer_urls.runs.clear()
    return shared_answer_urls.runs


@pytest.mark.urls("tests.measures.shared_answer_urls")
def test_only_an_answer_the_same_for_everyone_is_kept(runs: list[str]) -> None:
    """An answer that used a CSRF token, left a message in the session, or is not a 200 runs
    its view for each visitor."""
    for url in ("/same/", "/token/", "/message/", "/missing/"):
        Client().get(url)
        Client().get(url)
    assert runs == ["same", "token", "token", "message", "message", "404", "404"]
    tokens = [Client().get("/token/").content for _ in range(2)]
    assert tokens[0] != tokens[1]


@pytest.mark.urls("tests.measures.shared_answer_urls")
@pytest.mark.parametrize(
    ("cookie", "header"),
    [(settings.SESSION_COOKIE_NAME, None), (CookieStorage.cookie_name, None), (None, "Token abc")],
    ids=["session", "message waiting", "API key"],
)
def test_a_visitor_with_something_personal_gets_their_own_answer(runs: list[str], cookie, header) -> None:
    Client().get("/same/")
    Client().get("/same/")
    assert runs == ["same"], "shared between visitors with nothing personal"
    personal = Client(**({"HTTP_AUTHORIZATION": header} if header else {}))
    if cookie:
        personal.cookies[cookie] = "anything"
    personal.get("/same/")
    Client().post("/same/")
    Client().head("/same/")
    assert runs == ["same"] * 4, "a personal visit, a POST and a HEAD each run the view"


def test_a_process_keeps_its_copy_and_reads_only_the_version(monkeypatch) -> None:
    """The measures list is 140 KB: a process that sent it keeps a copy (the `process` cache) and
    reads only the catalog's version from the shared cache; a new version is never answered from it."""
    from django.core.cache import cache

    from measures.caching import VERSION_KEY

    first = Client().get("/api/v1/measures/").content
    reads: list[str] = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: reads.append(key) or real_get(key, *a, **k))
    assert Client().get("/api/v1/measures/").content == first
    assert reads == [VERSION_KEY]
    measure = Measure.objects.get(number=1)
    measure.title = "新的措施标题"
    measure.save()
    assert "新的措施标题" in Client().get("/api/v1/measures/").content.decode()
