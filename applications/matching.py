"""政策匹配: for an applicant, every incentive with a verdict, its reasons and an estimated amount."""

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import Applicant
from accounts.selectors import applicant_facts
from measures.amounts import AmountResult, compute_amount
from measures.eligibility import Verdict, judge
from measures.models import Incentive
from measures.selectors import incentive_queryset

from .form_definitions import parties_from_answers
from .models import Application

# Eligible first, then "more information needed", then not eligible; money first within each, by
# estimated value, then by measure number (as a number: 2 before 19) and position.
_RANK = {True: 0, None: 1, False: 2}
VERDICTS = ("eligible", "unknown", "not_eligible")
_VERDICT_OF = {True: "eligible", None: "unknown", False: "not_eligible"}
KINDS = ("money", "other")


@dataclass(frozen=True)
class Match:
    incentive: Incentive
    verdict: Verdict
    estimate: AmountResult

    @property
    def eligible(self) -> bool | None:
        return self.verdict.eligible

    @property
    def group(self) -> str:
        return _VERDICT_OF[self.eligible]


def _order(match: Match) -> tuple[int, int, Decimal, int, int]:
    incentive = match.incentive
    return (
        _RANK[match.eligible],
        0 if incentive.pays_money else 1,
        -(match.estimate.estimate or Decimal(0)),
        incentive.measure.number,
        incentive.position,
    )


def matches_for(applicant: Applicant, *, on: dt.date, own_type_only: bool = True) -> list[Match]:
    """Every active incentive judged against what the portal knows of the applicant; by default
    only those of the applicant's type (an enterprise never sees individual awards, nor a person
    an enterprise's).

    A fixed number of queries: the applicant's qualifications and declarations, and the catalog
    with its criteria and amount parameters prefetched.
    """
    facts = applicant_facts(applicant)
    incentives = incentive_queryset()
    if own_type_only:
        incentives = incentives.filter(applicant_type=applicant.kind)
    matches = [
        Match(incentive, judge(incentive, facts, on), compute_amount(incentive, on=on)) for incentive in incentives
    ]
    return sorted(matches, key=_order)


@dataclass(frozen=True)
class MatchGroup:
    key: str  # one of VERDICTS
    matches: list[Match]
    total: int  # before the kind filter
    open: bool  # shown unfolded


def match_groups(found: Iterable[Match], *, verdict: str = "", kind: str = "") -> list[MatchGroup]:
    """The page's groups, one per verdict in VERDICTS order, filtered by verdict and kind ("money":
    grants that pay; "other": financing, tax, fast track, recognition). Unknown filter values mean
    no filter. Eligible and "more information needed" are unfolded; "not eligible" is folded."""
    found = list(found)
    groups = []
    for key in VERDICTS:
        if verdict in VERDICTS and key != verdict:
            continue
        in_group = [m for m in found if m.group == key]
        shown = [m for m in in_group if kind not in KINDS or (m.incentive.pays_money == (kind == "money"))]
        groups.append(
            MatchGroup(key=key, matches=shown, total=len(in_group), open=key != "not_eligible" or verdict == key)
        )
    return groups


def claim_verdict(application: Application) -> Verdict:
    """The incentive's conditions judged on the applicant's profile and declarations and on the
    claim's own figures (measure 9: the parties to the merger and their turnovers), with the
    criteria in force on the day it was submitted (a draft: today), so a later change never
    rewrites its verdict."""
    made = application.submitted_at
    on = timezone.localdate(made) if made is not None else timezone.localdate()
    facts = applicant_facts(application.applicant)
    parties = parties_from_answers(application.incentive, application.data or {})
    if parties is not None:
        facts = dataclasses.replace(facts, parties_revenue_cn=parties[0], parties_revenue_world=parties[1])
    return judge(application.incentive, facts, on)
