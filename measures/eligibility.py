"""Eligibility rules: each criterion of an incentive explains itself and judges a set of facts.

A criterion is data (rule + params, see EligibilityCriterion); this module knows what each rule
means. Judging returns one reason per criterion: met, not met, or unknown when the applicant has
not yet told the portal what the rule needs (so the verdict becomes "more information needed").
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import EligibilityCriterion, Incentive
from .vocabulary import EnterpriseSize, GuangdongCity, Qualification, QualificationLevel

Rule = EligibilityCriterion.Rule


@dataclass(frozen=True)
class QualificationHeld:
    """One qualification with the year obtained and its level (national, provincial, municipal)."""

    code: str
    year: int
    level: str


@dataclass(frozen=True)
class ApplicantFacts:
    """What the portal knows of an applicant; None means "not told yet"."""

    applicant_type: str
    # The codes held, whatever the year and level; `held` has each with its year and level, which
    # a criterion naming a level or years needs (a bare code never meets such a criterion).
    qualifications: frozenset[str] = frozenset()
    held: tuple[QualificationHeld, ...] = ()
    size: str | None = None
    city: str | None = None
    industry_division: str | None = None
    revenue_cn: Decimal | None = None
    revenue_world: Decimal | None = None
    # Measure 9 speaks of the parties to a merger (参与集中的经营者): their turnovers come with the
    # claim (one per party, the applicant included), never from the applicant's profile.
    parties_revenue_cn: tuple[Decimal, ...] | None = None
    parties_revenue_world: tuple[Decimal, ...] | None = None
    # Declaration criteria (by id) the applicant has declared to hold, and declared not to hold.
    declarations: frozenset[str] = field(default_factory=frozenset)
    declared_not: frozenset[str] = field(default_factory=frozenset)


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


@dataclass(frozen=True)
class Reason:
    criterion: str
    outcome: Outcome
    # A declaration criterion's id: the applicant answers it ("what can I claim" offers the form).
    declaration_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    eligible: bool | None  # None: more information needed
    reasons: tuple[Reason, ...]


def _label(choices: type[models.Choices], codes: Iterable[str]) -> str:
    labels = dict(choices.choices)
    return "、".join(str(labels.get(code, code)) for code in codes)


def _yuan(amount: str | Decimal) -> str:
    return f"{Decimal(str(amount)):,.0f}"


def describe(criterion: EligibilityCriterion) -> str:
    """The criterion in words, in the active language."""
    params = criterion.params or {}
    rule = criterion.rule
    if rule == Rule.QUALIFICATION_ANY:
        text = _("Holds one of: %(list)s") % {"list": _label(Qualification, params.get("qualifications", []))}
        limits = []
        if params.get("levels"):
            limits.append(_("level: %(levels)s") % {"levels": _label(QualificationLevel, params["levels"])})
        if params.get("year_from") and params.get("year_to"):
            limits.append(_("obtained %(start)s–%(end)s") % {"start": params["year_from"], "end": params["year_to"]})
        elif params.get("year_from"):
            limits.append(_("obtained in %(year)s or later") % {"year": params["year_from"]})
        elif params.get("year_to"):
            limits.append(_("obtained in %(year)s or earlier") % {"year": params["year_to"]})
        if params.get("within_years"):
            limits.append(_("obtained within the last %(n)s years") % {"n": params["within_years"]})
        if not limits:
            return text
        return _("%(condition)s (%(limits)s)") % {"condition": text, "limits": _("; ").join(limits)}
    if rule == Rule.SIZE_IN:
        return _("Enterprise size is one of: %(list)s") % {"list": _label(EnterpriseSize, params.get("sizes", []))}
    if rule == Rule.CITY_IN:
        return _("Located in one of: %(list)s") % {"list": _label(GuangdongCity, params.get("cities", []))}
    if rule == Rule.INDUSTRY_IN:
        return _("Industry division (GB/T 4754) is one of: %(list)s") % {"list": ", ".join(params.get("divisions", []))}
    if rule == Rule.REVENUE_CN_ABOVE:
        return _("Last financial year's turnover in China above %(amount)s CNY") % {"amount": _yuan(params["amount"])}
    if rule == Rule.REVENUE_WORLD_ABOVE:
        return _("Last financial year's worldwide turnover above %(amount)s CNY") % {"amount": _yuan(params["amount"])}
    if rule == Rule.PARTIES_REVENUE_CN_ABOVE:
        return _("At least %(count)s parties each with turnover in China above %(amount)s CNY") % {
            "count": params.get("count", 2),
            "amount": _yuan(params["amount"]),
        }
    if rule == Rule.PARTIES_TOTAL_CN_ABOVE:
        return _("The parties' combined turnover in China in the last financial year above %(amount)s CNY") % {
            "amount": _yuan(params["amount"])
        }
    if rule == Rule.PARTIES_TOTAL_WORLD_ABOVE:
        return _("The parties' combined worldwide turnover in the last financial year above %(amount)s CNY") % {
            "amount": _yuan(params["amount"])
        }
    return criterion.localized("text")


def _qualification_met(params: dict, facts: ApplicantFacts, on: dt.date) -> bool:
    codes = set(params.get("qualifications", []))
    levels = set(params.get("levels") or [])
    year_from, year_to, within = params.get("year_from"), params.get("year_to"), params.get("within_years")
    if not (levels or year_from or year_to or within):
        return bool((facts.qualifications | {q.code for q in facts.held}) & codes)
    for held in facts.held:
        if held.code not in codes or (levels and held.level not in levels):
            continue
        if year_from and held.year < int(year_from):
            continue
        if year_to and held.year > int(year_to):
            continue
        if within and held.year < on.year - int(within):
            continue
        return True
    return False


def judge_criterion(criterion: EligibilityCriterion, facts: ApplicantFacts, on: dt.date | None = None) -> Outcome:
    params = criterion.params or {}
    rule = criterion.rule
    on = on or timezone.localdate()

    def compare(value: Decimal | None, threshold: str) -> Outcome:
        if value is None:
            return Outcome.UNKNOWN
        return Outcome.MET if value > Decimal(str(threshold)) else Outcome.NOT_MET

    def member(value: str | None, allowed: list[str]) -> Outcome:
        if value is None:
            return Outcome.UNKNOWN
        return Outcome.MET if value in allowed else Outcome.NOT_MET

    if rule == Rule.QUALIFICATION_ANY:
        return Outcome.MET if _qualification_met(params, facts, on) else Outcome.NOT_MET
    if rule == Rule.SIZE_IN:
        return member(facts.size, params.get("sizes", []))
    if rule == Rule.CITY_IN:
        return member(facts.city, params.get("cities", []))
    if rule == Rule.INDUSTRY_IN:
        return member(facts.industry_division, params.get("divisions", []))
    if rule == Rule.REVENUE_CN_ABOVE:
        return compare(facts.revenue_cn, params["amount"])
    if rule == Rule.REVENUE_WORLD_ABOVE:
        return compare(facts.revenue_world, params["amount"])
    if rule == Rule.PARTIES_REVENUE_CN_ABOVE:
        if facts.parties_revenue_cn is None:
            return Outcome.UNKNOWN
        above = sum(1 for revenue in facts.parties_revenue_cn if revenue > Decimal(str(params["amount"])))
        return Outcome.MET if above >= int(params.get("count", 2)) else Outcome.NOT_MET
    if rule == Rule.PARTIES_TOTAL_CN_ABOVE:
        total = sum(facts.parties_revenue_cn, Decimal(0)) if facts.parties_revenue_cn is not None else None
        return compare(total, params["amount"])
    if rule == Rule.PARTIES_TOTAL_WORLD_ABOVE:
        total = sum(facts.parties_revenue_world, Decimal(0)) if facts.parties_revenue_world is not None else None
        return compare(total, params["amount"])
    # A declaration is the applicant's word, checked by the department: unknown until answered.
    if str(criterion.pk) in facts.declarations:
        return Outcome.MET
    if str(criterion.pk) in facts.declared_not:
        return Outcome.NOT_MET
    return Outcome.UNKNOWN


def judge(incentive: Incentive, facts: ApplicantFacts, on: dt.date | None = None) -> Verdict:
    """All ungrouped criteria in force on `on` (today by default) must be met; within an
    alternative group, one suffices. A claim is judged on the day it was made, so a criterion
    changed later never rewrites its verdict.

    Uses `incentive.criteria.all()`, so prefetching criteria keeps a list of verdicts at a fixed
    number of queries.
    """
    on = on or timezone.localdate()
    applicant_reason = Reason(
        criterion=_("Open to: %(type)s") % {"type": incentive.get_applicant_type_display()},
        outcome=Outcome.MET if facts.applicant_type == incentive.applicant_type else Outcome.NOT_MET,
    )
    reasons = [applicant_reason]
    required: list[Outcome] = [applicant_reason.outcome]
    groups: dict[str, list[Outcome]] = {}
    for criterion in incentive.criteria.all():
        if not criterion.in_force_on(on):
            continue
        outcome = judge_criterion(criterion, facts, on)
        declaration_id = criterion.pk if criterion.rule == Rule.DECLARATION else None
        reasons.append(Reason(criterion=describe(criterion), outcome=outcome, declaration_id=declaration_id))
        if criterion.alternative_group:
            groups.setdefault(criterion.alternative_group, []).append(outcome)
        else:
            required.append(outcome)
    for outcomes in groups.values():
        if Outcome.MET in outcomes:
            required.append(Outcome.MET)
        elif Outcome.UNKNOWN in outcomes:
            required.append(Outcome.UNKNOWN)
        else:
            required.append(Outcome.NOT_MET)
    if Outcome.NOT_MET in required:
        eligible: bool | None = False
    elif Outcome.UNKNOWN in required:
        eligible = None
    else:
        eligible = True
    return Verdict(eligible=eligible, reasons=tuple(reasons))


OUTCOME_LABELS = {
    Outcome.MET: gettext_lazy("met"),
    Outcome.NOT_MET: gettext_lazy("not met"),
    Outcome.UNKNOWN: gettext_lazy("unknown"),
}
