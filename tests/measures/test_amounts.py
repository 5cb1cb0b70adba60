"""The amount engine: caps, dates and traces (property-based where it fits)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.amounts import AmountInputError, Claim, compute_amount
from measures.models import AmountParameter, Department, Incentive, Measure

DAY = dt.date(2026, 6, 1)
Kind = Incentive.Kind
Key = AmountParameter.Key


def make_incentive(kind: str, **parameters: Decimal | None) -> Incentive:
    incentive = Incentive.objects.create(
        code=f"test-{kind}-{Incentive.objects.count()}",
        measure=Measure.objects.get(number=15),
        name="测试事项",
        name_en="Test incentive",
        kind=kind,
        handling_department=Department.objects.order_by("code").first(),
        unit="项",
        unit_en="unit",
    )
    for key, value in parameters.items():
        AmountParameter.objects.create(incentive=incentive, key=key, value=value, valid_from=dt.date(2023, 1, 1))
    return incentive


@pytest.fixture
def cost_share(db: None) -> Incentive:
    return make_incentive(Kind.COST_SHARE_GRANT, rate=Decimal("0.3"), cap=Decimal("1000000"))


@pytest.mark.django_db
def test_china_quality_award_for_an_organisation_is_three_million_with_a_trace() -> None:
    result = compute_amount(Incentive.objects.get(code="m17-china-quality-award-org"), on=DAY)
    assert result.amount == Decimal("3000000.00")
    assert result.pays_money
    assert any("3,000,000.00" in line for line in result.trace_zh)
    assert any("Fixed grant" in line for line in result.trace_en)
    assert any("固定" in line or "定额" in line for line in result.trace_zh), result.trace_zh


@pytest.mark.django_db
def test_international_standards_are_paid_per_standard_up_to_the_cap() -> None:
    incentive = Incentive.objects.get(kind=Kind.PER_UNIT_GRANT, measure__number=15)
    three = compute_amount(incentive, on=DAY, claim=Claim(units=3))
    assert three.amount == Decimal("1500000.00")
    asked_less = compute_amount(incentive, on=DAY, claim=Claim(units=3, requested=Decimal("1200000")))
    assert asked_less.amount == Decimal("1200000.00")
    asked_more = compute_amount(incentive, on=DAY, claim=Claim(units=1, requested=Decimal("900000")))
    assert asked_more.amount == Decimal("500000.00")


@pytest.mark.django_db
def test_cost_share_applies_the_rate_then_the_cap(cost_share: Incentive) -> None:
    small = compute_amount(cost_share, on=DAY, claim=Claim(eligible_spending=Decimal("100000")))
    assert small.amount == Decimal("30000.00")
    assert any("30%" in line for line in small.trace_en)
    large = compute_amount(cost_share, on=DAY, claim=Claim(eligible_spending=Decimal("9000000")))
    assert large.amount == Decimal("1000000.00")
    assert "Capped at 1,000,000.00 CNY." in large.trace_en
    assert "封顶" in "".join(large.trace_zh) or "上限" in "".join(large.trace_zh)


@pytest.mark.django_db
def test_a_parameter_without_a_figure_means_the_department_sets_the_amount() -> None:
    incentive = make_incentive(Kind.FIXED_GRANT, amount=None)
    result = compute_amount(incentive, on=DAY)
    assert result.amount is None
    assert result.set_by_department
    assert result.trace_en == ["The policy states no figure here: the amount is set by the department."]


@pytest.mark.django_db
def test_a_later_change_never_alters_an_earlier_computation() -> None:
    incentive = make_incentive(Kind.FIXED_GRANT, amount=Decimal("2000000"))
    AmountParameter.objects.create(
        incentive=incentive, key=Key.AMOUNT, value=Decimal("2500000"), valid_from=dt.date(2027, 1, 1)
    )
    incentive = Incentive.objects.prefetch_related("amount_parameters").get(pk=incentive.pk)
    assert compute_amount(incentive, on=dt.date(2026, 12, 31)).amount == Decimal("2000000.00")
    assert compute_amount(incentive, on=dt.date(2027, 1, 1)).amount == Decimal("2500000.00")
    assert any("2027-01-01" in line for line in compute_amount(incentive, on=dt.date(2027, 3, 1)).trace_en)


@pytest.mark.django_db
def test_no_parameter_in_force_before_the_policy_starts() -> None:
    incentive = Incentive.objects.get(code="m17-china-quality-award-org")
    result = compute_amount(incentive, on=dt.date(2022, 12, 31))
    assert result.amount is None
    assert result.set_by_department


@pytest.mark.django_db
def test_financing_is_capped_at_one_hundred_million_and_is_not_a_grant() -> None:
    incentive = Incentive.objects.get(kind=Kind.FINANCING, measure__number=11)
    result = compute_amount(incentive, on=DAY, claim=Claim(requested=Decimal("250000000")))
    assert result.amount == Decimal("100000000.00")
    assert not result.pays_money
    assert any("bank" in line for line in result.trace_en)


@pytest.mark.django_db
def test_services_and_tax_treatment_pay_nothing_through_the_portal() -> None:
    incentive = Incentive.objects.filter(kind=Kind.TAX_FEE).first()
    result = compute_amount(incentive, on=DAY)
    assert result.amount is None and not result.pays_money and not result.set_by_department


def test_claims_refuse_negative_figures_and_zero_units() -> None:
    with pytest.raises(AmountInputError):
        Claim(eligible_spending=Decimal("-1"))
    with pytest.raises(AmountInputError):
        Claim(units=0)


money = st.decimals(min_value=0, max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(spending=money, rate=st.decimals(min_value=0, max_value=1, places=4), cap=money)
def test_cost_share_never_exceeds_its_cap_or_the_share(spending: Decimal, rate: Decimal, cap: Decimal) -> None:
    incentive = Incentive(kind=Kind.COST_SHARE_GRANT, unit="")
    parameters = [
        AmountParameter(key=Key.RATE, value=rate, valid_from=dt.date(2023, 1, 1)),
        AmountParameter(key=Key.CAP, value=cap, valid_from=dt.date(2023, 1, 1)),
    ]
    result = compute_amount(incentive, on=DAY, claim=Claim(eligible_spending=spending), parameters=parameters)
    assert result.amount is not None
    assert Decimal(0) <= result.amount <= cap
    assert result.amount <= spending * rate
    assert result.amount == result.amount.quantize(Decimal("0.01"))


@settings(max_examples=150, deadline=None)
@given(units=st.integers(min_value=1, max_value=1000), requested=st.none() | money, unit_cap=money)
def test_per_unit_grant_never_exceeds_units_times_cap(units: int, requested: Decimal | None, unit_cap: Decimal) -> None:
    incentive = Incentive(kind=Kind.PER_UNIT_GRANT, unit="")
    parameters = [AmountParameter(key=Key.UNIT_CAP, value=unit_cap, valid_from=dt.date(2023, 1, 1))]
    result = compute_amount(incentive, on=DAY, claim=Claim(units=units, requested=requested), parameters=parameters)
    assert result.amount is not None
    assert result.amount <= unit_cap * units
    if requested is not None:
        assert result.amount <= requested


@given(
    starts=st.lists(
        st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2030, 1, 1)), min_size=1, max_size=5, unique=True
    ),
    day=st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2031, 1, 1)),
)
def test_the_parameter_in_force_is_the_latest_started_by_that_day(starts: list[dt.date], day: dt.date) -> None:
    incentive = Incentive(kind=Kind.FIXED_GRANT, unit="")
    parameters = [
        AmountParameter(key=Key.AMOUNT, value=Decimal(start.toordinal()), valid_from=start) for start in starts
    ]
    result = compute_amount(incentive, on=day, parameters=parameters)
    started = [s for s in starts if s <= day]
    if started:
        assert result.amount == Decimal(max(started).toordinal())
    else:
        assert result.amount is None
