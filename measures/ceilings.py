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

from django.utils.translation import gettext_lazy as _

from .amounts import FEN, Claim, Key, Kind, TraceStep, parameters_in_force
from .models import Incentive, YearCeiling


@dataclass(frozen=True)
class Ceiling:
    amount: Decimal | None  # None: no money through the portal, or no ceiling set yet
    steps: tuple[TraceStep, ...]
    set_by_department: bool = False

    def trace(self, language: str | None = None) -> list[str]:
        from django.utils import translation

        return [step.render(language or translation.get_language() or "zh-hans") for step in self.steps]

    def allows(self, amount: Decimal) -> bool:
        return self.amount is not None and amount <= self.amount


def policy_ceiling(incentive: Incentive, *, on: dt.date, claim: Claim | None, fiscal_year: int) -> Ceiling:
    claim = claim or Claim()
    params = parameters_in_force(incentive.amount_parameters.all(), on)
    steps: list[TraceStep] = []

    def figure(key: str) -> Decimal | None:
        parameter = params.get(key)
        return parameter.value if parameter is not None else None

    def done(amount: Decimal | None, *, by_department: bool = False) -> Ceiling:
        if amount is not None:
            amount = amount.quantize(FEN, rounding=ROUND_DOWN)
            steps.append(TraceStep(_("Policy ceiling: %(amount)s CNY."), {"amount": amount}))
        return Ceiling(amount, tuple(steps), by_department)

    def within(amount: Decimal, cap: Decimal | None) -> Decimal:
        if cap is not None and amount > cap:
            steps.append(TraceStep(_("Within the cap per claim of %(cap)s CNY."), {"cap": cap}))
            return cap
        return amount

    def set_by_department() -> Ceiling:
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

    if not incentive.pays_money:
        return done(None)
    kind = incentive.kind
    if kind == Kind.FIXED_GRANT:
        amount = figure(Key.AMOUNT)
        return done(amount) if amount is not None else set_by_department()
    if kind == Kind.PER_UNIT_GRANT:
        unit_cap, cap = figure(Key.UNIT_CAP), figure(Key.CAP)
        if unit_cap is None:
            return done(cap) if cap is not None else set_by_department()
        units = claim.units or 1
        steps.append(
            TraceStep(
                _("%(units)s × at most %(cap)s CNY = at most %(ceiling)s CNY."),
                {"units": units, "cap": unit_cap, "ceiling": unit_cap * units},
            )
        )
        return done(within(unit_cap * units, cap))
    if kind == Kind.COST_SHARE_GRANT:
        rate, cap = figure(Key.RATE), figure(Key.CAP)
        if rate is None:
            return done(cap) if cap is not None else set_by_department()
        spending = Decimal(claim.eligible_spending or 0)
        steps.append(
            TraceStep(
                _("Eligible spending %(spending)s CNY × %(rate)s = %(amount)s CNY."),
                {"spending": spending, "rate": f"{(rate * 100).normalize():f}%", "amount": spending * rate},
            )
        )
        return done(within(spending * rate, cap))
    cap = figure(Key.CAP)  # discretionary grants and financing
    return done(cap) if cap is not None else set_by_department()


def policy_names_a_figure(incentive: Incentive) -> bool:
    """Whether the policy's own figures bound a claim (else the department sets a year's ceiling)."""
    ceiling = policy_ceiling(incentive, on=dt.date.today(), claim=Claim(units=1), fiscal_year=0)
    return not ceiling.set_by_department
