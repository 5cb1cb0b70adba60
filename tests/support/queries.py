"""The queries one page or API request runs, for the query-count tests of the round's pages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def counted_get(client, url: str) -> tuple[int, str, bytes | list]:
    """(how many queries, their SQL, the body: JSON for the API, bytes for a page); the answer must be a 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    body = response.json() if url.startswith("/api/") else response.content
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries), body
