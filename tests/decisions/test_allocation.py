"""decisions.allocation.allocate: examples, then properties over any ranking (hypothesis)."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decisions.allocation import PRO_RATA, RANK, allocate

D = Decimal
ASKS = [("a", D("600000")), ("b", D("500000")), ("c", D("300000"))]


def test_rank_gives_the_full_asks_in_order_and_the_rest_to_the_first_that_no_longer_fits() -> None:
    assert allocate(ASKS, D("1000000"), None, RANK) == {"a": D("600000.00"), "b": D("400000.00"), "c": D("0.00")}


def test_rank_never_skips_to_a_smaller_worse_ranked_ask() -> None:
    # b does not fit in full; c (300k) would, but the ranking is kept: c gets nothing.
    assert allocate(ASKS, D("700000"), None, RANK) == {"a": D("600000.00"), "b": D("100000.00"), "c": D("0.00")}
    assert allocate(ASKS, D("600000"), None, RANK) == {"a": D("600000.00"), "b": D("0.00"), "c": D("0.00")}


def test_pro_rata_shares_in_proportion_rounded_down_to_the_cent() -> None:
    shares = allocate(ASKS, D("1000000"), None, PRO_RATA)
    # 1,000,000 / 1,400,000 of each ask
    assert shares == {"a": D("428571.42"), "b": D("357142.85"), "c": D("214285.71")}
    assert sum(shares.values()) <= D("1000000")


def test_most_awards_limits_who_gets_anything() -> None:
    assert allocate(ASKS, None, 2, RANK) == {"a": D("600000.00"), "b": D("500000.00"), "c": D("0.00")}
    assert allocate(ASKS, D("1000000"), 2, PRO_RATA) == {"a": D("545454.54"), "b": D("454545.45"), "c": D("0.00")}
    assert allocate(ASKS, D("2000000"), 0, RANK) == {"a": D("0.00"), "b": D("0.00"), "c": D("0.00")}


def test_enough_money_or_no_limit_gives_every_ask() -> None:
    for mode in (RANK, PRO_RATA):
        assert allocate(ASKS, D("1400000"), None, mode) == {k: v.quantize(D("0.01")) for k, v in ASKS}
        assert allocate(ASKS, None, None, mode) == {k: v.quantize(D("0.01")) for k, v in ASKS}


@pytest.mark.parametrize(
    ("ranked", "money", "awards", "mode"),
    [
        ([("a", D(1)), ("a", D(2))], D(10), None, RANK),
        ([("a", D(-1))], D(10), None, RANK),
        ([("a", D(1))], D(-10), None, RANK),
        ([("a", D(1))], D(10), None, "lottery"),
    ],
)
def test_bad_input_is_refused(ranked: list[tuple[str, Decimal]], money: Decimal, awards: int | None, mode: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        allocate(ranked, money, awards, mode)


cents = st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c) / 100)
rankings = st.lists(cents, max_size=12).map(lambda asks: [(i, a) for i, a in enumerate(asks)])
moneys = st.one_of(st.none(), cents)
awards = st.one_of(st.none(), st.integers(min_value=0, max_value=14))
modes = st.sampled_from([RANK, PRO_RATA])


@settings(max_examples=300, deadline=None)
@given(ranked=rankings, money=moneys, max_awards=awards, mode=modes)
def test_shares_are_bounded(
    ranked: list[tuple[int, Decimal]], money: Decimal | None, max_awards: int | None, mode: str
) -> None:
    shares = allocate(ranked, money, max_awards, mode)
    assert set(shares) == {k for k, _a in ranked}
    asked = dict(ranked)
    for key, share in shares.items():
        assert D(0) <= share <= asked[key]
        assert share == share.quantize(D("0.01"))
    if money is not None:
        assert sum(shares.values()) <= money
    if max_awards is not None:
        assert sum(1 for s in shares.values() if s > 0) <= max_awards
        assert all(shares[k] == 0 for k, _a in ranked[max_awards:])


@settings(max_examples=300, deadline=None)
@given(ranked=rankings, money=moneys, max_awards=awards)
def test_rank_mode_is_monotone(
    ranked: list[tuple[int, Decimal]], money: Decimal | None, max_awards: int | None
) -> None:
    shares = allocate(ranked, money, max_awards, RANK)
    ratios = [shares[k] / a for k, a in ranked if a > 0]
    assert all(better >= worse for better, worse in itertools.pairwise(ratios))


@settings(max_examples=300, deadline=None)
@given(ranked=rankings, money=cents, max_awards=awards)
def test_pro_rata_is_proportional_within_a_cent(
    ranked: list[tuple[int, Decimal]], money: Decimal, max_awards: int | None
) -> None:
    shares = allocate(ranked, money, max_awards, PRO_RATA)
    places = ranked if max_awards is None else ranked[:max_awards]
    total = sum(a for _k, a in places)
    for key, ask in places:
        exact = ask if total <= money else ask * money / total
        assert abs(shares[key] - exact) < D("0.01")


@settings(max_examples=300, deadline=None)
@given(ranked=rankings, extra=cents, max_awards=awards, mode=modes)
def test_when_the_money_suffices_everyone_gets_their_ask(
    ranked: list[tuple[int, Decimal]], extra: Decimal, max_awards: int | None, mode: str
) -> None:
    places = ranked if max_awards is None else ranked[:max_awards]
    money = sum((a for _k, a in places), D(0)) + extra
    shares = allocate(ranked, money, max_awards, mode)
    assert all(shares[k] == a for k, a in places)
