"""The policy ceiling of a claim: the most the policy allows it to receive, on a date.

Propose, approve, proactive offers, budget commitments and payment batches all ask this one
function; nothing pays above it (and the award keeps it, under a database check).

    fixed grant          the amount
    per-unit grant       the cap per unit × the units claimed, and the overall cap when there is one
    cost-share grant     the rate × the eligible spending claimed, within the cap
    discretionary,
    financing            the cap
    no figure in the policy ("set by the department"): the ceiling the department set for the
                         fiscal year (YearCeiling); none set → no ceiling, and nothing can be approved
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .amounts import FEN, Claim, Key, Kind, TraceStep, parameters_in_force, percent, render_trace
from .models import AmountParameter, Incentive, YearCeiling


@dataclass(frozen=True)
class Ceiling:
    amount: Decimal | None  # None: no money through the portal, or no ceiling set yet
    steps: tuple[TraceStep, ...]
    set_by_department: bool = False

    def trace(self, language: str | None = None) -> list[str]:
        return render_trace(self.steps, language)


def _from_policy(
    incentive: Incentive, params: dict[str, AmountParameter], claim: Claim, steps: list[TraceStep]
) -> Decimal | None:
    """The ceiling the policy's own figures give the claim; None where the policy names none."""

    def figure(key: str) -> Decimal | None:
        parameter = params.get(key)
        return parameter.value if parameter is not None else None

    def within(amount: Decimal, cap: Decimal | None) -> Decimal:
        if cap is not None and amount > cap:
            steps.append(TraceStep(_("Within the cap per claim of %(cap)s CNY."), {"cap": cap}))
            return cap
        return amount

    kind = incentive.kind
    if kind == Kind.FIXED_GRANT:
        return figure(Key.AMOUNT)
    if kind == Kind.PER_UNIT_GRANT:
        unit_cap, cap = figure(Key.UNIT_CAP), figure(Key.CAP)
        if unit_cap is None:
            return cap
        units = claim.units or 1
        steps.append(
            TraceStep(
                _("%(units)s × at most %(cap)s CNY = at most %(ceiling)s CNY."),
                {"units": units, "cap": unit_cap, "ceiling": unit_cap * units},
            )
        )
        return within(unit_cap * units, cap)
    if kind == Kind.COST_SHARE_GRANT:
        rate, cap = figure(Key.RATE), figure(Key.CAP)
        if rate is None:
            return cap
        spending = Decimal(claim.eligible_spending or 0)
        steps.append(
            TraceStep(
                _("Eligible spending %(spending)s CNY × %(rate)s = %(amount)s CNY."),
                {"spending": spending, "rate": percent(rate), "amount": spending * rate},
            )
        )
        return within(spending * rate, cap)
    return figure(Key.CAP)  # discretionary grants and financing


def policy_ceiling(incentive: Incentive, *, on: dt.date, claim: Claim | None, fiscal_year: int) -> Ceiling:
    steps: list[TraceStep] = []

    def done(amount: Decimal | None, *, by_department: bool = False) -> Ceiling:
        if amount is not None:
            amount = amount.quantize(FEN, rounding=ROUND_DOWN)
            steps.append(TraceStep(_("Policy ceiling: %(amount)s CNY."), {"amount": amount}))
        return Ceiling(amount, tuple(steps), by_department)

    if not incentive.pays_money:
        return done(None)
    params = parameters_in_force(incentive.amount_parameters.all(), on)
    amount = _from_policy(incentive, params, claim or Claim(), steps)
    if amount is not None:
        return done(amount)
    ceiling = YearCeiling.objects.filter(incentive=incentive, fiscal_year=fiscal_year).first()
    if ceiling is None:
        steps.append(
            TraceStep(
                _("The policy names no figure and the department has set no ceiling for %(year)s yet."),
                {"year": fiscal_year},
            )
        )
        return done(None, by_department=True)
    steps.append(
        TraceStep(
            _("The policy names no figure: the department's ceiling for %(year)s is %(amount)s CNY."),
            {"year": fiscal_year, "amount": ceiling.amount},
        )
    )
    return done(ceiling.amount, by_department=True)


def policy_names_a_figure(incentive: Incentive, on: dt.date | None = None) -> bool:
    """Whether the policy's own figures bound a claim (else the department sets a year's ceiling)."""
    if not incentive.pays_money:
        return True
    params = parameters_in_force(incentive.amount_parameters.all(), on or timezone.localdate())
    return _from_policy(incentive, params, Claim(units=1), []) is not None
