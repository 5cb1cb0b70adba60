"""The public catalog, cached: the most visited pages and API answers are read from the shared
cache (Redis in production) instead of the database.

Every entry's key carries the catalog's version and the day (amounts in force change by date);
any save or delete of a catalog model bumps the version, so the next read recomputes. A page is
never cached whole (it carries a CSRF token and the visitor's navigation); the catalog page keeps
its content rendered as a template fragment under `page_key`.
"""

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

T = TypeVar("T")

VERSION_KEY = "catalog:version"
TIMEOUT = 60 * 60


def catalog_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add(): two processes starting at once agree on one version.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return str(version)


def catalog_changed(**_kwargs: Any) -> None:
    """Connected to post_save/post_delete of the catalog's models (measures/apps.py)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def cached(key: str, compute: Callable[[], T], *, today: dt.date | None = None) -> T:
    """`compute()`'s value for the current catalog and day, from the cache when it holds it."""
    digest = hashlib.sha256(key.encode()).hexdigest()  # the key may hold a visitor's search words
    full_key = f"catalog:{catalog_version()}:{(today or timezone.localdate()).isoformat()}:{digest}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, TIMEOUT)
    return value  # type: ignore[no-any-return]


def page_key(path: str) -> str:
    """What a cached page fragment of the catalog follows (`{% cache … page_key %}`): the catalog's
    version, the day, the language and the page's path and query."""
    parts = (catalog_version(), timezone.localdate().isoformat(), translation.get_language() or "", path)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class CachedCatalogAPI:
    """For the public catalog's read-only viewsets: an answer is the same for every caller, so
    it is cached by path, query and language as rendered JSON, and those bytes are sent as they
    are (rendering the list again cost more than the rest of the request)."""

    def _cached(self, request: Request, respond: Callable[[], Response]) -> HttpResponseBase:
        key = f"api:{translation.get_language()}:{request.get_full_path()}"

        def compute() -> Any:
            response = respond()
            if response.status_code != 200:
                raise _NotCacheable(response)
            return JSONRenderer().render(response.data)

        try:
            rendered = cached(key, compute)
        except _NotCacheable as refused:
            return refused.response
        if isinstance(request.accepted_renderer, JSONRenderer):
            return HttpResponse(rendered, content_type="application/json")
        return Response(json.loads(rendered))

    # Any: a plain HttpResponse where the mixins declare REST framework's Response.
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return self._cached(request, lambda: super(CachedCatalogAPI, self).list(request, *args, **kwargs))  # type: ignore[misc]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return self._cached(request, lambda: super(CachedCatalogAPI, self).retrieve(request, *args, **kwargs))  # type: ignore[misc]


class _NotCacheable(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response
