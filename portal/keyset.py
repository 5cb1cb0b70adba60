"""Keyset ("seek") pagination: the next page starts after the last row's sort key; no OFFSET, no COUNT.

A list declares its sort as a `Keyset`: named expressions, all ascending or all descending,
whose last one is unique (the primary key), so every row has one place. The page asks the
database for the keys of `size + 1` rows after (or before) the cursor with one row-value
comparison, `(key1, key2, id) > (%s, %s, %s)`, which PostgreSQL answers from an index on the same
expressions and SQLite understands too; then it reads those rows, with their joins, by key.
Cursors are opaque, signed strings: a tampered or stale one is refused (`BadCursor`), never a 500.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import F, Field, Func, Model, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.lookups import GreaterThan, LessThan

M = TypeVar("M", bound=Model)

_SALT = "portal.keyset"


class BadCursor(ValueError):
    """The cursor was not made by this list (edited, truncated, or for another sort)."""


class _Row(Func):
    """A row value, `(a, b, c)`, for one comparison over the whole sort key."""

    template = "(%(expressions)s)"
    arg_joiner = ", "
    output_field = Field()


@dataclass(frozen=True)
class Keyset:
    name: str  # goes into the cursor, so a cursor of one sort is refused by another
    keys: tuple[tuple[str, Combinable], ...]  # (alias, expression); the last one unique
    descending: bool = False

    def after_equal(self, alias: str, expression: Combinable) -> "Keyset":
        """The same order within a column the list is filtered on (`status = 'paid'`): leading with
        it lets the database walk the index that starts with that column."""
        return Keyset(f"{self.name}:{alias}", ((alias, expression), *self.keys), self.descending)

    @property
    def names(self) -> list[str]:
        """The keys as the page's query selects them (annotations must not shadow a field)."""
        return [f"keyset_{alias}" for alias, _e in self.keys]

    def ordered(self, queryset: QuerySet[M], *, backwards: bool = False) -> QuerySet[M]:
        """Selects the key with each row (to make the cursors from) and orders by it."""
        down = self.descending != backwards
        keys = dict(zip(self.names, (expression for _a, expression in self.keys), strict=True))
        ordered: QuerySet[M] = queryset.annotate(**keys).order_by(*[F(n).desc() if down else F(n).asc() for n in keys])
        return ordered


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return dt.datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "d" in value:
        return dt.date.fromisoformat(value["d"])
    return value


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    rows: list[M]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _cursor(keyset: Keyset, row: Model, *, forward: bool) -> str:
    values = [_encode(getattr(row, name)) for name in keyset.names]
    return signing.dumps({"s": keyset.name, "k": values, "f": forward}, salt=_SALT, compress=True)


def _position(keyset: Keyset, cursor: str) -> tuple[list[Any], bool]:
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise BadCursor(cursor) from None
    if not isinstance(data, dict) or data.get("s") != keyset.name or len(data.get("k", [])) != len(keyset.keys):
        raise BadCursor(cursor)
    return [_decode(v) for v in data["k"]], bool(data.get("f", True))


def keyset_page(queryset: QuerySet[M], keyset: Keyset, *, cursor: str | None, size: int) -> KeysetPage[M]:
    """One page of `queryset` in the keyset's order: the first, or the one after/before `cursor`."""
    forward, values = True, None
    if cursor:
        values, forward = _position(keyset, cursor)
    queryset = keyset.ordered(queryset, backwards=not forward)
    page_rows = queryset
    if values is not None:
        row = _Row(*[F(name) for name in keyset.names])
        position = _Row(*[Value(v) for v in values])
        after = forward != keyset.descending
        queryset = queryset.filter(GreaterThan(row, position) if after else LessThan(row, position))
    # The page's keys are chosen from the table alone, in a subquery with its own LIMIT, and the
    # rows with their joins are read by those keys: the planner may guess that few rows lie past
    # the cursor (most closed applications share one sort value), and with the joins in the same
    # query that guess made it join the whole tail before the LIMIT. A LIMIT keeps the subquery
    # apart, so this is one round trip.
    keys = queryset.values("pk")[: size + 1]
    rows = list(page_rows.filter(pk__in=keys))
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    has_next = more if forward else values is not None
    has_previous = values is not None if forward else more
    return KeysetPage(
        rows=rows,
        next_cursor=_cursor(keyset, rows[-1], forward=True) if rows and has_next else None,
        previous_cursor=_cursor(keyset, rows[0], forward=False) if rows and has_previous else None,
    )


__all__: Sequence[str] = ["BadCursor", "Keyset", "KeysetPage", "keyset_page"]
