"""政策匹配: for an applicant, every incentive with a verdict, its reasons and an estimated amount."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Applicant
from accounts.selectors import applicant_facts
from measures.amounts import AmountResult, compute_amount
from measures.eligibility import Verdict, judge
from measures.models import Incentive
from measures.selectors import incentive_queryset

# Eligible first, then "more information needed", then not eligible; by estimated value within each.
_RANK = {True: 0, None: 1, False: 2}


@dataclass(frozen=True)
class Match:
    incentive: Incentive
    verdict: Verdict
    estimate: AmountResult

    @property
    def eligible(self) -> bool | None:
        return self.verdict.eligible


def matches_for(applicant: Applicant, *, on: dt.date) -> list[Match]:
    """Every active incentive judged against what the portal knows of the applicant.

    A fixed number of queries: the applicant's qualifications, and the catalog with its
    criteria and amount parameters prefetched.
    """
    facts = applicant_facts(applicant)
    matches = [
        Match(incentive, judge(incentive, facts), compute_amount(incentive, on=on))
        for incentive in incentive_queryset()
    ]
    return sorted(matches, key=lambda m: (_RANK[m.eligible], -(m.estimate.estimate or Decimal(0)), m.incentive.code))
