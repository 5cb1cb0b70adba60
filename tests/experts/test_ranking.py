"""Properties of the aggregation and the ranking (pure functions, no database)."""

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from experts.ranking import Entry, aggregate, expert_total, rank

totals = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
some_totals = st.lists(totals, min_size=1, max_size=15)
CENT = Decimal("0.01")


def test_examples() -> None:
    assert aggregate([]) is None
    assert aggregate([Decimal(80)]) == Decimal("80.00")
    assert aggregate([Decimal(70), Decimal(80), Decimal(91)]) == Decimal("80.33")
    # Five totals: the 10 and the 100 are dropped.
    assert aggregate([Decimal(10), Decimal(80), Decimal(82), Decimal(84), Decimal(100)]) == Decimal("82.00")
    assert expert_total([(Decimal(10), Decimal("1.5")), (Decimal(20), Decimal(1))]) == Decimal(35)


@given(some_totals)
def test_the_score_lies_between_the_lowest_and_the_highest_total(values: list[Decimal]) -> None:
    score = aggregate(values)
    assert score is not None
    assert min(values) - CENT <= score <= max(values) + CENT
    assert score == score.quantize(CENT)


@given(some_totals, st.randoms(use_true_random=False))
def test_the_order_of_the_totals_does_not_matter(values: list[Decimal], rng) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(values)
    rng.shuffle(shuffled)
    assert aggregate(shuffled) == aggregate(values)


@given(st.lists(totals, min_size=4, max_size=12), st.decimals(min_value=0, max_value=10**6, places=2))
def test_with_five_totals_or_more_one_outlier_is_ignored(values: list[Decimal], outlier: Decimal) -> None:
    """One extreme total (above every other, or below) does not move the score at all when at
    least five totals count, provided it replaces the extreme it pushes out."""
    high = max(values) + outlier
    low_values = sorted(values)
    with_high = [*low_values, high]
    # The highest is dropped whatever its size: the same as adding the former maximum again.
    assert aggregate(with_high) == aggregate([*low_values, max(values)])
    low = min(values) - outlier
    assert aggregate([low, *low_values]) == aggregate([min(values), *low_values])


@given(st.lists(totals, min_size=5, max_size=12))
def test_five_or_more_drops_exactly_one_highest_and_one_lowest(values: list[Decimal]) -> None:
    kept = sorted(values)[1:-1]
    assert aggregate(values) == (sum(kept, Decimal(0)) / len(kept)).quantize(CENT, rounding=ROUND_HALF_UP)


entries = st.lists(
    st.tuples(
        st.lists(totals, min_size=1, max_size=6),
        st.one_of(st.none(), st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 3, 1))),
    ),
    max_size=20,
)


def _entries(raw: list[tuple[list[Decimal], dt.datetime | None]]) -> list[Entry]:
    return [
        Entry(application_id=pk, totals=tuple(t), submitted_at=at.replace(tzinfo=dt.UTC) if at else None)
        for pk, (t, at) in enumerate(raw, start=1)
    ]


@given(entries)
def test_the_ranking_is_a_permutation_ordered_by_score(raw: list[tuple[list[Decimal], dt.datetime | None]]) -> None:
    given_entries = _entries(raw)
    results = rank(given_entries)
    assert sorted(r.application_id for r in results) == [e.application_id for e in given_entries]
    assert [r.rank for r in results] == list(range(1, len(results) + 1))
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)
    by_id = {e.application_id: e for e in given_entries}
    for better, worse in itertools.pairwise(results):
        if better.score == worse.score:  # ties: earlier submission, then the smaller id
            a, b = by_id[better.application_id], by_id[worse.application_id]
            key_a = (a.submitted_at or dt.datetime.max.replace(tzinfo=dt.UTC), a.application_id)
            key_b = (b.submitted_at or dt.datetime.max.replace(tzinfo=dt.UTC), b.application_id)
            assert key_a < key_b


@given(entries, st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_input_order(raw, rng) -> None:  # type: ignore[no-untyped-def]
    given_entries = _entries(raw)
    shuffled = list(given_entries)
    rng.shuffle(shuffled)
    assert rank(shuffled) == rank(given_entries)


def test_ties_go_to_the_earlier_submission_then_the_smaller_id() -> None:
    early = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    late = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    results = rank(
        [
            Entry(3, (Decimal(80),), late),
            Entry(2, (Decimal(80),), early),
            Entry(1, (Decimal(80),), late),
            Entry(4, (Decimal(90),), late),
        ]
    )
    assert [r.application_id for r in results] == [4, 2, 1, 3]


def test_an_application_without_a_total_cannot_be_ranked() -> None:
    with pytest.raises(ValueError, match="application 7"):
        rank([Entry(7, (), None)])
