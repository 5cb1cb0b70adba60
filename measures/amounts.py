"""The amount engine: how much an incentive pays for a claim on a given date, and why.

Parameters are chosen by date (the latest `valid_from` in force that day), so a cap changed
next year never alters an amount computed under this year's figures. Every step of the
computation is kept as a line of a plain-language trace, in Chinese and English. Amounts are
Decimal CNY, rounded down to the fen, and never above a cap.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import AmountParameter, Incentive

FEN = Decimal("0.01")
Kind = Incentive.Kind
Key = AmountParameter.Key


class AmountInputError(ValueError):
    """A claim figure the engine cannot use (negative spending, zero units…)."""


@dataclass(frozen=True)
class Claim:
    """The figures of a claim that amounts depend on; None where not (yet) given."""

    units: int | None = None
    eligible_spending: Decimal | None = None
    requested: Decimal | None = None

    def __post_init__(self) -> None:
        if self.units is not None and self.units < 1:
            raise AmountInputError("units must be at least 1")
        for name in ("eligible_spending", "requested"):
            value = getattr(self, name)
            if value is not None and Decimal(value) < 0:
                raise AmountInputError(f"{name} must not be negative")


@dataclass(frozen=True)
class TraceStep:
    message: Promise
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> str:
        with translation.override(language):
            return str(self.message) % {k: _render_value(v) for k, v in self.params.items()}


def _render_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, Promise):
        return str(value)
    return str(value)


def render_trace(steps: Iterable[TraceStep], language: str | None = None) -> list[str]:
    """A trace's lines in `language` (by default the current one)."""
    return [step.render(language or translation.get_language() or "zh-hans") for step in steps]


def money(value: Decimal) -> str:
    return f"{value.quantize(FEN, rounding=ROUND_DOWN):,.2f}"


@dataclass(frozen=True)
class AmountResult:
    amount: Decimal | None  # None: no money from the portal, or set by the department, or needs claim figures
    cap: Decimal | None  # the most this claim could receive (or finance), where the data says
    pays_money: bool
    set_by_department: bool
    computed_on: dt.date
    steps: tuple[TraceStep, ...]

    def trace(self, language: str | None = None) -> list[str]:
        return render_trace(self.steps, language)

    @property
    def trace_zh(self) -> list[str]:
        return self.trace("zh-hans")

    @property
    def trace_en(self) -> list[str]:
        return self.trace("en")

    @property
    def estimate(self) -> Decimal:
        """For ordering incentives by value: the amount, else the cap, else nothing."""
        return self.amount if self.amount is not None else (self.cap or Decimal(0))


def parameters_in_force(parameters: Iterable[AmountParameter], on: dt.date) -> dict[str, AmountParameter]:
    """For each key, the parameter in force on the day: the latest start not after it."""
    chosen: dict[str, AmountParameter] = {}
    for parameter in parameters:
        if parameter.in_force_on(on) and (
            parameter.key not in chosen or parameter.valid_from > chosen[parameter.key].valid_from
        ):
            chosen[parameter.key] = parameter
    return chosen


def compute_amount(
    incentive: Incentive,
    *,
    on: dt.date,
    claim: Claim | None = None,
    parameters: Iterable[AmountParameter] | None = None,
) -> AmountResult:
    """The amount for `claim` under the parameters in force `on`.

    Reads `incentive.amount_parameters.all()` (a prefetch keeps lists of estimates at a fixed
    number of queries) unless `parameters` are given, e.g. to preview figures not yet saved.
    """
    claim = claim or Claim()
    params = parameters_in_force(incentive.amount_parameters.all() if parameters is None else parameters, on)
    steps: list[TraceStep] = []

    def figure(key: str) -> Decimal | None:
        parameter = params.get(key)
        if parameter is None or parameter.value is None:
            return None
        steps.append(
            TraceStep(
                _("%(name)s in force on %(day)s (since %(since)s): %(value)s"),
                {
                    "name": Key(key).label,
                    "day": on.isoformat(),
                    "since": parameter.valid_from.isoformat(),
                    "value": Figure(key, parameter.value),
                },
            )
        )
        return parameter.value

    def result(amount: Decimal | None, cap: Decimal | None, *, set_by_department: bool = False) -> AmountResult:
        if amount is not None:
            amount = amount.quantize(FEN, rounding=ROUND_DOWN)
        return AmountResult(
            amount=amount,
            cap=cap,
            pays_money=incentive.pays_money,
            set_by_department=set_by_department,
            computed_on=on,
            steps=tuple(steps),
        )

    def by_department(cap: Decimal | None = None) -> AmountResult:
        steps.append(TraceStep(_("The policy states no figure here: the amount is set by the department.")))
        return result(None, cap, set_by_department=True)

    kind = incentive.kind
    if kind == Kind.FIXED_GRANT:
        amount = figure(Key.AMOUNT)
        if amount is None:
            return by_department()
        steps.append(TraceStep(_("Fixed grant: %(amount)s CNY."), {"amount": amount}))
        return result(amount, amount)

    if kind == Kind.PER_UNIT_GRANT:
        unit_cap = figure(Key.UNIT_CAP)
        overall_cap = figure(Key.CAP)
        if unit_cap is None:
            return by_department(overall_cap)
        units = claim.units
        if units is None:
            units = 1
            steps.append(
                TraceStep(
                    _("Estimated for one %(unit)s until the claim states how many."),
                    {"unit": incentive.localized("unit") or _("unit")},
                )
            )
        ceiling = unit_cap * units
        steps.append(
            TraceStep(
                _("%(units)s × at most %(cap)s CNY = at most %(ceiling)s CNY."),
                {"units": units, "cap": unit_cap, "ceiling": ceiling},
            )
        )
        amount = ceiling
        if claim.requested is not None and claim.requested < amount:
            amount = Decimal(claim.requested)
            steps.append(TraceStep(_("The claim asks for %(requested)s CNY, within the cap."), {"requested": amount}))
        return result(*_apply_cap(amount, overall_cap, steps))

    if kind == Kind.COST_SHARE_GRANT:
        rate = figure(Key.RATE)
        cap = figure(Key.CAP)
        if rate is None:
            return by_department(cap)
        if claim.eligible_spending is None:
            steps.append(TraceStep(_("The amount depends on the eligible spending the claim states.")))
            return result(None, cap)
        amount = Decimal(claim.eligible_spending) * rate
        steps.append(
            TraceStep(
                _("Eligible spending %(spending)s CNY × %(rate)s = %(amount)s CNY."),
                {"spending": Decimal(claim.eligible_spending), "rate": percent(rate), "amount": amount},
            )
        )
        return result(*_apply_cap(amount, cap, steps))

    if kind == Kind.DISCRETIONARY_GRANT:
        cap = figure(Key.CAP)
        if claim.requested is None:
            steps.append(TraceStep(_("The department decides the amount within the cap.")))
            return result(None, cap, set_by_department=cap is None)
        steps.append(TraceStep(_("The claim asks for %(requested)s CNY."), {"requested": Decimal(claim.requested)}))
        return result(*_apply_cap(Decimal(claim.requested), cap, steps))

    if kind == Kind.FINANCING:
        cap = figure(Key.CAP)
        steps.append(TraceStep(_("Financing, not a grant: interest and terms are the bank's.")))
        if claim.requested is None:
            return result(cap, cap)
        return result(*_apply_cap(Decimal(claim.requested), cap, steps))

    steps.append(TraceStep(_("%(kind)s: no money is paid through the portal."), {"kind": incentive.get_kind_display()}))
    return result(None, None)


def _apply_cap(amount: Decimal, cap: Decimal | None, steps: list[TraceStep]) -> tuple[Decimal, Decimal | None]:
    if cap is not None and amount > cap:
        steps.append(TraceStep(_("Capped at %(cap)s CNY."), {"cap": cap}))
        return cap, cap
    steps.append(TraceStep(_("Amount: %(amount)s CNY."), {"amount": amount}))
    return amount, cap


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Figure:
    """A parameter's value, worded when the trace is rendered (so in the trace's language)."""

    key: str
    value: Decimal

    def __str__(self) -> str:
        if self.key == Key.RATE:
            return percent(self.value)
        return str(_("%(amount)s CNY") % {"amount": money(self.value)})
