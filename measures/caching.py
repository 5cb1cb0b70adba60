"""The public catalog, cached: the most visited pages and API answers are read from the shared
cache (Redis in production) instead of the database.

Every entry's key carries the catalog's version and the day (amounts in force change by date);
any save or delete of a catalog model bumps the version, so the next read recomputes.

Two layers:
- `shared_answer`: the whole answer of a catalog page or API, as sent, for visitors who carry
  nothing personal (no session, no pending message, no API key): nearly every anonymous visit.
  Their pages hold no CSRF token (the language switch needs none) and no name.
- underneath, for everyone else: the catalog page's content as a template fragment (`page_key`)
  and the API's answers as rendered JSON (`CachedCatalogAPI`), with navigation per request.
"""

import datetime as dt
import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.cache import cache_page
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


def _personal(request: HttpRequest) -> bool:
    """Whether the answer could hold something of this visitor's: a session (a signed-in user, a
    pending message), a message waiting in its cookie, or an API key (which must still be checked)."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or CookieStorage.cookie_name in cookies
        or "HTTP_AUTHORIZATION" in request.META
    )


def shared_answer(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The view's whole answer, kept by Django's page cache (`cache_page`) for the catalog's version
    and the day, for every visitor with nothing personal; Django's key adds the address, the query,
    the language and the time zone. A visit served this way runs no view, template or query, so
    the public pages keep pace with the liveness check under load (issue 10).

    The kept answer must be the same for everyone: an answer that used a CSRF token is marked
    private, which Django's cache does not keep. Browsers and proxies are told nothing new: the
    answer may not be kept by them (it would outlive the catalog's version), and it varies by
    cookie, since a signed-in visitor gets the same address with their own navigation."""

    def private_when_tokened(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            patch_cache_control(response, private=True)
        return response

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") or _personal(request):
            return view(request, *args, **kwargs)
        prefix = f"catalog:{catalog_version()}:{timezone.localdate().isoformat()}"
        response = cache_page(TIMEOUT, key_prefix=prefix)(private_when_tokened)(request, *args, **kwargs)
        # cache_page also tells browsers to keep the page for TIMEOUT: undone, see above.
        if "private" not in response.get("Cache-Control", ""):
            del response["Expires"]
            del response["Cache-Control"]
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapped


class CachedCatalogAPI:
    """For the public catalog's read-only viewsets: an answer is the same for every caller, so
    it is cached by path, query and language as rendered JSON, and those bytes are sent as they
    are (rendering the list again cost more than the rest of the request). Visitors with nothing
    personal get the whole answer from `shared_answer`, ahead of REST framework."""

    # Any: REST framework's as_view, whose stubs type the view more narrowly than a callable.
    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        return shared_answer(super().as_view(*args, **kwargs))  # type: ignore[misc]

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
