"""Reads of calls shared by the pages, the API, applications and the tasks."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from measures.models import Incentive

from .models import Call, CallQuerySet, CallStatus


def call_queryset(now: dt.datetime | None = None) -> CallQuerySet:
    """Calls with their incentives (code, name) and `current_status` as of `now`."""
    return Call.objects.with_status(now).prefetch_related(
        Prefetch("incentives", queryset=Incentive.objects.only("id", "code", "name", "name_en").order_by("code"))
    )


def call_list(*, status: str = "", incentive_code: str = "", now: dt.datetime | None = None) -> QuerySet[Call]:
    now = now or timezone.now()
    calls = call_queryset(now)
    if status == CallStatus.OPEN:
        calls = calls.open(now)
    elif status == CallStatus.UPCOMING:
        calls = calls.upcoming(now)
    elif status == CallStatus.CLOSED:
        calls = calls.closed(now)
    if incentive_code:
        calls = calls.filter(incentives__code=incentive_code)
    return calls.order_by("-opens_at", "-pk")


def incentive_has_calls(incentive: Incentive) -> bool:
    """An incentive without any call keeps taking applications at any time (as before calls existed)."""
    return Call.objects.filter(incentives=incentive).exists()


def call_for_draft(incentive: Incentive, fiscal_year: int, now: dt.datetime | None = None) -> Call | None:
    """The call a new draft joins: the one open now for the incentive and year, else the next to open."""
    now = now or timezone.now()
    calls = Call.objects.filter(incentives=incentive, fiscal_year=fiscal_year)
    return calls.open(now).order_by("closes_at", "pk").first() or calls.upcoming(now).order_by("opens_at", "pk").first()


def open_call_for(incentive: Incentive, fiscal_year: int, now: dt.datetime | None = None) -> Call | None:
    return (
        Call.objects.filter(incentives=incentive, fiscal_year=fiscal_year)
        .open(now or timezone.now())
        .order_by("closes_at", "pk")
        .first()
    )


def current_calls_by_incentive(incentive_ids: Iterable[int], now: dt.datetime | None = None) -> dict[int, list[Call]]:
    """Per incentive: its open calls (closing first), then its next upcoming call. One query."""
    now = now or timezone.now()
    ids = list(incentive_ids)
    found: dict[int, list[Call]] = {pk: [] for pk in ids}
    through = Call.incentives.through
    links = (
        through.objects.filter(incentive_id__in=ids, call__closes_at__gt=now)
        .select_related("call")
        .order_by("call__opens_at", "call__closes_at", "call_id")
    )
    upcoming_seen: set[int] = set()
    for link in links:
        call = link.call
        if call.is_open(now):
            found[link.incentive_id].append(call)
        elif link.incentive_id not in upcoming_seen:
            upcoming_seen.add(link.incentive_id)
            found[link.incentive_id].append(call)
    for calls in found.values():
        calls.sort(key=lambda c: (not c.is_open(now), c.closes_at if c.is_open(now) else c.opens_at))
    return found


def calls_managed_by(user_department_id: int | None) -> CallQuerySet:
    """Calls for the incentives a department handles (every call, for None: administrators)."""
    calls = call_queryset()
    if user_department_id is not None:
        calls = calls.filter(incentives__handling_department_id=user_department_id).distinct()
    return calls.order_by("-opens_at", "-pk")
