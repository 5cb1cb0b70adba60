"""The public catalog, cached: the most visited pages and API answers are read from the shared
cache (Redis in production) instead of the database.

Every entry's key carries the catalog's version and the day (amounts in force change by date);
any save or delete of a catalog model bumps the version, so the next read recomputes.

Two layers:
- `shared_answer` views: their whole answer, as sent, for visitors who carry nothing personal (no
  session, no pending message, no API key), kept by `SharedAnswerMiddleware`: nearly every
  anonymous visit. Their pages hold no CSRF token (the language switch needs none) and no name.
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
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

T = TypeVar("T")

VERSION_KEY = "catalog:version"
TIMEOUT = 60 * 60
_this_process = caches["process"]


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


V = TypeVar("V", bound=Callable[..., Any])


def shared_answer(view: V) -> V:
    """Marks a view whose whole answer is the same for every visitor with nothing personal, for
    the catalog's version, the day, the language and the address: `SharedAnswerMiddleware` keeps it."""
    view.shared_answer = True  # type: ignore[attr-defined]
    return view


@functools.lru_cache(maxsize=1024)
def _is_shared(urlconf: str | None, path: str) -> bool:
    try:
        return getattr(resolve(path, urlconf).func, "shared_answer", False)
    except Resolver404:
        return False


class SharedAnswerMiddleware:
    """Sends the kept whole answer of a `shared_answer` view to a visitor with nothing personal
    (nearly every anonymous visit), before the middleware that only personal visits need (CSRF,
    authentication, second factor, messages, idle sessions, lockouts) and without the view: one
    cache read, so the public catalog keeps pace with the liveness check under load (issue 10).

    Placed before the session and locale middleware: the language, part of the key, is read from
    the request as LocaleMiddleware reads it. What the inner middleware adds to an answer (its
    language, X-Frame-Options, what it varies by) is kept with it; what the outer add (security
    headers, CSP, the request id) is added to each visit. Input the portal refuses (a NUL in the
    query) is answered 400 further in, so never kept.

    The kept entry holds the catalog's version it was made for, and an entry of an older version
    is made again. Each process keeps a copy of the entries it sent (the `process` cache, a
    LocMemCache of 200): a visit then costs one read of the version from the shared cache. An answer is kept
    only when it is the same for everyone: a 200 that set no cookie (a CSRF token sets one),
    left the session untouched and is not private. Browsers and proxies are told nothing new;
    the answer varies by cookie, since a signed-in visitor gets their own navigation there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "GET" or _personal(request) or not _is_shared(get_urlconf(), request.path_info):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        where = (request.get_host(), language, timezone.localdate().isoformat())
        key = "catalog:answer:" + hashlib.sha256("\n".join((*where, request.get_full_path())).encode()).hexdigest()
        version = catalog_version()
        kept = self._kept(key, version)
        if kept is not None:
            _version, status, headers, content = kept
            response: HttpResponseBase = HttpResponse(content, status=status, headers=headers)
        else:
            response = self.get_response(request)
            if isinstance(response, HttpResponse) and self._same_for_everyone(request, response):
                kept = (version, response.status_code, dict(response.items()), response.content)
                cache.set(key, kept, TIMEOUT)
                _this_process.set(key, kept, TIMEOUT)
        patch_vary_headers(response, ("Cookie",))
        return response

    @staticmethod
    def _kept(key: str, version: str) -> tuple[Any, ...] | None:
        """The entry made for this version: this process's copy, else the shared one (copied here)."""
        kept = _this_process.get(key)
        if kept is None or kept[0] != version:
            kept = cache.get(key)
            if kept is None or kept[0] != version:
                return None
            _this_process.set(key, kept, TIMEOUT)
        return kept  # type: ignore[no-any-return]

    @staticmethod
    def _same_for_everyone(request: HttpRequest, response: HttpResponse) -> bool:
        session = getattr(request, "session", None)
        return (
            response.status_code == 200
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not (session is not None and session.modified)
            and "private" not in response.get("Cache-Control", "")
        )


class CachedCatalogAPI:
    """For the public catalog's read-only viewsets: an answer is the same for every caller, so
    it is cached by path, query and language as rendered JSON, and those bytes are sent as they
    are (rendering the list again cost more than the rest of the request). Visitors with nothing
    personal get the whole answer from `SharedAnswerMiddleware`, ahead of REST framework."""

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
