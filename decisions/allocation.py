"""Sharing a call's money among the applications a collective decision meeting supports (集体审议).

`allocate` is a pure function: the ranked list (best first) of (key, amount asked), the money of the
call (None: no limit), its most awards (None: no limit) and its allocation mode.

- Only the first `max_awards` places of the ranking can get anything (a place counts whether or not
  its ask is zero); the others get nothing.
- "rank" (按排名择优): in rank order each gets the full amount asked while the money lasts; the first
  one that no longer fits gets what remains (when more than zero) and everyone after it gets
  nothing. The policy (measures 15 and 17 of the seed: "给予不超过50万元的资金资助") caps each grant
  but says nothing of skipping a large ask to fund a smaller, worse-ranked one, so the ranking is
  kept strictly: a worse-ranked application never gets money a better-ranked one still lacks.
- "pro_rata" (按比例): when the total asked exceeds the money, each gets its ask × money / total,
  rounded down to the cent; otherwise each gets what it asked.

Every amount is rounded down to the cent, never above the amount asked, never negative, and the sum
never exceeds the money. Arithmetic is done in whole cents (integers), so nothing is lost to a
Decimal context's precision.
"""

from collections.abc import Hashable, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

RANK = "rank"
PRO_RATA = "pro_rata"
CENT = Decimal("0.01")


def _cents(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_value(rounding=ROUND_DOWN))


def _amount(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def allocate(
    ranked: Sequence[tuple[K, Decimal]], money: Decimal | None, max_awards: int | None, mode: str
) -> dict[K, Decimal]:
    """What each key gets, for every key of `ranked` (zero for those who get nothing)."""
    if mode not in (RANK, PRO_RATA):
        raise ValueError(f"unknown allocation mode {mode!r}")
    if money is not None and money < 0:
        raise ValueError("the money available cannot be negative")
    if max_awards is not None and max_awards < 0:
        raise ValueError("the most awards cannot be negative")
    keys = [key for key, _ask in ranked]
    if len(set(keys)) != len(keys):
        raise ValueError("a key is ranked twice")
    for _key, asked in ranked:
        if asked < 0:
            raise ValueError("an amount asked cannot be negative")

    given: dict[K, int] = dict.fromkeys(keys, 0)
    places = list(ranked if max_awards is None else ranked[:max_awards])
    asks: list[tuple[K, int]] = [(key, _cents(asked)) for key, asked in places]
    total = sum(cents for _key, cents in asks)
    if money is None or total <= _cents(money):
        for key, cents in asks:
            given[key] = cents
    elif mode == RANK:
        remaining = _cents(money)
        for key, cents in asks:
            if remaining <= 0:
                break
            given[key] = min(cents, remaining)
            remaining -= given[key]
    else:
        available = _cents(money)
        for key, cents in asks:
            given[key] = cents * available // total  # floor: never above the exact share
    return {key: _amount(cents) for key, cents in given.items()}
