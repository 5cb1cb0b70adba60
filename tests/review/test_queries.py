"""The queue page and `/api/v1/queue/` run a fixed number of queries whatever the queue's length
(Hypha's lists were slow until they did): measured, then 10 more applications in several states,
assigned or not, overdue or not, then measured again."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import review
from applications.models import Application
from applications.states import OPEN_STATUSES
from tests.applications.helpers import PER_UNIT

from .conftest import submit_new

pytestmark = pytest.mark.django_db


def _count(client, url: str) -> tuple[int, str, int]:
    """Queries run to build the answer (not to take it from the cache: test_queue_cache.py), their
    SQL, and how many applications the answer lists."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    listed = (
        len(response.json()["results"]) if url.startswith("/api/") else response.content.count(b'class="app-reference"')
    )
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries), listed


def _add_ten(handler, handler2) -> None:
    for n in range(10):
        application = submit_new()
        if n % 3 == 1:
            application = review.application_accept(actor=handler if n % 2 else handler2, application=application)
            Application.objects.filter(pk=application.pk).update(stage_due_on=dt.date(2020, 1, 1))  # overdue
        elif n % 3 == 2:
            application = review.application_return(actor=handler, application=application, missing="x")
        else:
            review.application_assign(actor=handler, application=application, handler=handler)


@pytest.mark.parametrize(
    "url",
    [
        "/review/",
        "/review/?overdue=on&sort=submitted",
        "/review/?status=submitted&measure=17&city=guangzhou&size=medium&mine=on",
        "/api/v1/queue/",
        "/api/v1/queue/?overdue=true&sort=-submitted",
    ],
)
def test_queue_queries_do_not_grow_with_its_length(handler, handler2, page_client, api_client, url: str) -> None:
    # At least one row for every filter before measuring (an empty page skips its query).
    late = review.application_accept(actor=handler, application=submit_new())
    Application.objects.filter(pk=late.pk).update(stage_due_on=dt.date(2020, 1, 1))
    review.application_assign(actor=handler, application=submit_new(), handler=handler)
    submit_new(code=PER_UNIT)  # another department's: never listed
    client = api_client(handler) if url.startswith("/api/") else page_client(handler)
    client.get(url)  # warm-up: the session's first read
    before, _sql, listed_before = _count(client, url)
    _add_ten(handler, handler2)
    after, sql, listed_after = _count(client, url)
    assert listed_after > listed_before >= 1
    assert after == before, sql
    assert before <= 12, sql


def test_the_application_page_runs_a_bounded_number_of_queries(handler, page_client) -> None:
    application = submit_new()
    client = page_client(handler)
    url = f"/review/{application.reference}/"
    client.get(url)
    before, _sql, _listed = _count(client, url)
    for n in range(5):
        review.comment_add(actor=handler, application=application, text=f"note {n}")
    after, sql, _listed = _count(client, url)
    assert after == before, sql
    assert before <= 25, sql


def _queue_queries(client, url: str) -> list[str]:
    cache.clear()  # the SQL that builds the answer, not the cached answer
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries if "applications_application" in q["sql"]]


@pytest.mark.parametrize("api", [False, True])
def test_the_queue_seeks_by_its_key_and_counts_only_open_work(
    handler, page_client, api_client, monkeypatch, api: bool
) -> None:
    """Keyset pagination: page two is asked for with a row-value comparison on the sort key
    (`(key, id) > (…)`), never OFFSET; the only count is of open applications, never the whole
    department; the list never selects the answers (`data`) or the amount trace."""
    from applications import queue_views

    monkeypatch.setattr(queue_views, "QUEUE_PAGE_SIZE", 2)
    for _n in range(4):
        submit_new()
    review.application_handle(
        actor=handler,
        application=review.application_accept(actor=handler, application=submit_new(code="m20-guangdong-famous-brand")),
    )
    client = api_client(handler) if api else page_client(handler)
    base = "/api/v1/queue/?page_size=2" if api else "/review/"
    if api:
        following = client.get(base).json()["next"]
    else:
        html = client.get(base).content.decode()
        following = "/review/" + html.split('" rel="next"')[0].rsplit('href="', 1)[1].replace("&amp;", "&")
    first, second = _queue_queries(client, base), _queue_queries(client, following)
    assert len(first) == len(second)
    for sql in first + second:
        assert "OFFSET" not in sql.upper()
        if "COUNT(" in sql.upper():
            # Only the open states are counted (the status tabs), by the partial index.
            assert "IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")" in sql
        else:
            assert '"data"' not in sql and '"amount_trace"' not in sql, sql
    listing = [sql for sql in second if "LIMIT" in sql.upper() and "COUNT(" not in sql.upper()]
    assert len(listing) == 1
    assert ") > (" in listing[0], listing[0]  # the seek: a row-value comparison on the sort key


@pytest.mark.postgres
@pytest.mark.parametrize("status", ["paid", "submitted"])
def test_a_status_tab_is_never_walked_on_the_deadline_index(handler, api_client, status: str) -> None:
    """A status tab's keys come from the index that leads with the status and spells the due date
    its own way, so that "paid" is never looked for behind every open application in the deadline
    index (120 ms at 1,000,000 applications; issue 10)."""
    submit_new()
    client = api_client(handler)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/queue/?status={status}").status_code == 200
    listing = [
        q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"] and "applications_application" in q["sql"]
    ]
    assert len(listing) == 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small: ask what an index would serve
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + listing[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # A test's few rows may be served by any index of the table; the deadline index is never one.
    assert "application_queue_deadline" not in plan, plan
    assert 'COALESCE("applications_application"."stage_due_on"' in listing[0]  # the status index's own spelling
