"""The public catalog (pages and API) is served from the cache after its first read, and any
change to the catalog shows at once (the cache's version moves on every save)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from measures.models import Incentive, Measure

pytestmark = pytest.mark.django_db


def _catalog_queries(client: Client, url: str, **headers: str) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries if "measures_" in q["sql"]]
    return sql, response.content.decode()


@pytest.mark.parametrize(
    "url", ["/", "/?q=质量&kind=fixed_grant", "/measures/17/", "/departments/", "/departments/miit/"]
)
def test_a_catalog_page_is_read_from_the_cache_the_second_time(url: str) -> None:
    client = Client()
    first, first_html = _catalog_queries(client, url)
    again, again_html = _catalog_queries(client, url)
    assert first, "the first read goes to the database"
    assert again == []
    # The same page, rendered again (only the masked CSRF token differs: it is never cached).
    assert _without_tokens(again_html) == _without_tokens(first_html)


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("url", ["/api/v1/measures/", "/api/v1/measures/17/", "/api/v1/incentives/?measure=17"])
def test_a_catalog_api_answer_is_cached_per_language(url: str) -> None:
    client = Client()
    first, zh = _catalog_queries(client, url)
    again, zh_again = _catalog_queries(client, url)
    english, en = _catalog_queries(client, url, HTTP_ACCEPT_LANGUAGE="en")
    assert first and again == [] and zh_again == zh
    assert english, "each language is its own entry"
    assert en != zh


def test_a_change_to_the_catalog_shows_at_once() -> None:
    client = Client()
    incentive = Incentive.objects.filter(measure__number=17).first()
    assert incentive is not None
    _catalog_queries(client, "/measures/17/")
    _catalog_queries(client, "/api/v1/incentives/?measure=17")
    incentive.name = "改名后的支持事项"
    incentive.save()
    _sql, html = _catalog_queries(client, "/measures/17/")
    assert "改名后的支持事项" in html
    _sql, body = _catalog_queries(client, "/api/v1/incentives/?measure=17")
    assert "改名后的支持事项" in body
    measure = Measure.objects.get(number=17)
    measure.title = "新的措施标题"
    measure.save()
    assert "新的措施标题" in _catalog_queries(client, "/")[1]


def test_a_missing_measure_is_a_404_each_time() -> None:
    client = Client()
    assert client.get("/measures/99/").status_code == 404
    assert client.get("/measures/99/").status_code == 404
    assert client.get("/api/v1/measures/99/").status_code == 404


def test_a_cached_api_answer_is_sent_as_the_bytes_it_was_stored_as() -> None:
    client = Client()
    first = client.get("/api/v1/measures/")
    again = client.get("/api/v1/measures/")
    # The stored bytes go out as they are (no second rendering), with the JSON content type.
    assert again.content == first.content and again["Content-Type"].startswith("application/json")
    assert [m["number"] for m in again.json()["results"]][:3] == [1, 2, 3]
    # A browser's Accept header gets the same JSON (the API has no HTML pages: /api/docs/ is the one).
    browser = client.get("/api/v1/measures/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert browser.status_code == 200 and browser.content == first.content


def test_the_catalog_pages_content_is_kept_rendered_per_language_and_query(monkeypatch, handler) -> None:
    """For a signed-in visitor (whose navigation is their own, so the whole page is not shared): the
    second visit neither reads the data (not even from the cache) nor renders the list again;
    another language or another search is its own fragment."""
    from measures import selectors

    client = Client()
    client.force_login(handler)
    _catalog_queries(client, "/")
    searches: list[dict] = []
    real_search = selectors.measure_search
    monkeypatch.setattr(selectors, "measure_search", lambda **kw: searches.append(kw) or real_search(**kw))
    from django.core.cache import cache

    reads: list[str] = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: reads.append(key) or real_get(key, *a, **k))
    _sql, zh = _catalog_queries(client, "/")
    assert handler.username in zh, "the visitor's own navigation"
    assert not any(key.startswith("catalog:") and key != "catalog:version" for key in reads), reads
    _sql, en = _catalog_queries(client, "/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Policy catalog" in en or "Guangdong" in en
    assert _without_tokens(en) != _without_tokens(zh)
    _sql, found = _catalog_queries(client, "/?q=质量奖")
    assert searches and searches[-1]["query"] == "质量奖"
    assert found.count('class="measure-item"') < zh.count('class="measure-item"')
