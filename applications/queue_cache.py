"""The review queue's API answers, cached (issue 10): officials' clients poll the queue, and a page
of 50 rows cost about 12 ms to build, which capped the API near 60 requests/s on two workers.

An answer is kept as rendered JSON under a key made of everything it depends on:

- who may see what (the scope): a department's officials share their department's answers, a city
  bureau its city's, finance and administrators theirs; `mine` adds the official;
- the path and query (filters, sort, cursor, page size), the host (the `next` links are absolute),
  the language (labels and names) and the day (`overdue`);
- the catalog's version (incentive names, which department handles what: measures/caching.py);
- a version per incentive, changed whenever an application of that incentive is saved, and one
  for the people and calls a row shows (applicants' names, cities and sizes, handlers' usernames,
  a call's review path), changed when those are saved.

A version changes at once and again when the transaction commits: a reader between the two may
have stored what it read before the commit under the first new version, which the second leaves
behind. Application rows are only ever written through `save()` (services), never by a bulk
`update()` of what a row shows, so the signals see every change. Only answers of 200 are kept.
"""

import dataclasses
import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from rest_framework.fields import BooleanField
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import OfficialRole
from measures.caching import catalog_version

from .permissions import visible_incentive_ids
from .review_selectors import QueueFilters

TIMEOUT = 10 * 60
PEOPLE = "people"  # the version of applicants, users and calls as rows show them
ALL = "all"  # the version of every incentive at once: for scopes that span them all
# A user's save that changes none of these leaves every row as it was (a sign-in writes last_login).
USER_FIELDS_SHOWN = frozenset({"username", "display_name", "is_active", "department", "official_role", "city"})


def _version_key(name: str | int) -> str:
    return f"queue:version:{name}"


def _bump(names: Iterable[str | int]) -> None:
    keys = [_version_key(name) for name in names]

    def bump() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)

    bump()
    transaction.on_commit(bump)


def application_saved(sender: Any, instance: Any, **_kwargs: Any) -> None:
    """post_save/post_delete of Application (applications/apps.py)."""
    _bump([instance.incentive_id, ALL])


def shown_record_saved(
    sender: Any, instance: Any, created: bool = False, update_fields: Any = None, **_kwargs: Any
) -> None:
    """post_save/post_delete of Applicant, User and Call (applications/apps.py). A new one is on no
    row yet (enterprises register all day), and a user's save of fields no row shows changes nothing."""
    if created:
        return
    if sender._meta.label == "accounts.User" and update_fields and not USER_FIELDS_SHOWN.intersection(update_fields):
        return
    _bump([PEOPLE])


def official_scope(user: Any) -> str:
    """Who sees the same queue as this official (applications_visible_to): their department's
    officials, their city bureau's, or every finance officer or administrator."""
    if _by_department(user):
        return f"department:{user.department_id}"
    if user.official_role in (OfficialRole.CITY_HANDLER, OfficialRole.CITY_APPROVER):
        return f"city:{user.city}"
    return f"role:{user.official_role or ('administrator' if user.is_superuser else 'none')}"


def _by_department(user: Any) -> bool:
    return user.official_role in (OfficialRole.HANDLER, OfficialRole.APPROVER) and bool(user.department_id)


def _scope(user: Any, mine: bool, catalog: str) -> tuple[str, list[int | str]]:
    """Who shares this official's answers, and the incentives whose versions their answers follow."""
    scope = official_scope(user) + (f":official:{user.pk}" if mine else "")
    return scope, [*visible_incentive_ids(user, catalog)] if _by_department(user) else [ALL]


def _versioned_key(user: Any, mine: bool, prefix: str, parts: list[str]) -> str:
    """The cache key of something this official's scope shares, following the catalog and the
    versions of the incentives and people it shows; `parts` say which request it answers."""
    catalog = catalog_version()
    scope, incentives = _scope(user, mine, catalog)
    names = [PEOPLE, *incentives]
    versions = cache.get_many([_version_key(name) for name in names])
    # A missing version (a cache just started, or evicted) is given one now, so the key is stable.
    missing = {key: uuid.uuid4().hex for key in map(_version_key, names) if key not in versions}
    if missing:
        for key, fresh in missing.items():
            cache.add(key, fresh, timeout=None)  # add(): processes starting at once agree on one
        versions |= cache.get_many(list(missing))
    everything = [
        scope,
        catalog,
        timezone.localdate().isoformat(),
        translation.get_language() or "",
        *parts,
        *(str(versions.get(_version_key(name), "")) for name in names),
    ]
    return prefix + hashlib.sha256("\n".join(everything).encode()).hexdigest()


def cached_queue_answer(request: Request, *, respond: Callable[[], Response]) -> HttpResponseBase:
    """The answer to this queue request, from the cache when it holds it; `respond()` builds it
    (and validates the query: only valid queries are answered 200, so only they are kept)."""
    mine = request.query_params.get("mine") in BooleanField.TRUE_VALUES
    key = _versioned_key(request.user, mine, "queue:answer:", [request.get_host(), request.get_full_path()])
    rendered = cache.get(key)
    if rendered is None:
        response = respond()
        if response.status_code != 200:
            return response
        rendered = JSONRenderer().render(response.data)
        cache.set(key, rendered, TIMEOUT)
    return HttpResponse(rendered, content_type="application/json")


def cached_status_counts(user: Any, filters: QueueFilters, compute: Callable[[], dict[str, int]]) -> dict[str, int]:
    """The queue page's counts per open status under these filters (the status tab and the page
    aside), kept like the API's answers: counting a department's open applications was the
    page's costliest query (7-14 ms at 1M)."""
    shown = {name: value for name, value in dataclasses.asdict(filters).items() if name not in ("status", "sort")}
    key = _versioned_key(user, bool(filters.mine), "queue:counts:", [repr(sorted(shown.items()))])
    counts = cache.get(key)
    if counts is None:
        counts = compute()
        cache.set(key, counts, TIMEOUT)
    return counts  # type: ignore[no-any-return]


__all__ = ["application_saved", "cached_queue_answer", "cached_status_counts", "official_scope", "shown_record_saved"]
