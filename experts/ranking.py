"""From the experts' scores to the panel's ranking.

`aggregate` and `rank` are pure: the property tests (tests/experts/test_ranking.py) check them
on any input. `panel_ranking(call)` loads a closed panel's scores and applies them; the decision
meeting (the `decisions` app) reads the ranking through it.

- An expert's total for an application: Σ points × weight over the sheet's criteria.
- An application's score: the mean of its experts' totals; with five totals or more the single
  highest and the single lowest are dropped first (去掉一个最高分和一个最低分). Rounded half up
  to 0.01. Assignments recorded as missing count for nothing.
- The ranking: best score first; ties go to the application submitted earlier, then to the
  smaller id. Ranks run 1..n without gaps.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from calls.models import Call

CENT = Decimal("0.01")
# From this many totals on, the highest and the lowest are dropped.
DROP_EXTREMES_FROM = 5


class PanelNotClosed(Exception):
    """The ranking is asked for before the panel closed (or there is no panel)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def expert_total(points_and_weights: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    return sum((points * weight for points, weight in points_and_weights), Decimal(0))


def aggregate(totals: Sequence[Decimal]) -> Decimal | None:
    """The application's score from its experts' totals; None when there are none."""
    if not totals:
        return None
    kept = sorted(totals)
    if len(kept) >= DROP_EXTREMES_FROM:
        kept = kept[1:-1]
    mean = sum(kept, Decimal(0)) / Decimal(len(kept))
    return mean.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PanelResult:
    application_id: int
    score: Decimal
    expert_count: int  # the experts whose totals counted (scored, not missing)
    rank: int


@dataclass(frozen=True)
class Entry:
    """What `rank` needs of one application."""

    application_id: int
    totals: tuple[Decimal, ...]
    submitted_at: dt.datetime | None


_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def rank(entries: Iterable[Entry]) -> list[PanelResult]:
    """Best first; an application without any total cannot be ranked (ValueError)."""
    scored = []
    for entry in entries:
        score = aggregate(entry.totals)
        if score is None:
            raise ValueError(f"application {entry.application_id} has no score")
        scored.append((score, entry))
    scored.sort(key=lambda pair: (-pair[0], pair[1].submitted_at or _LATEST, pair[1].application_id))
    return [
        PanelResult(application_id=entry.application_id, score=score, expert_count=len(entry.totals), rank=position)
        for position, (score, entry) in enumerate(scored, start=1)
    ]


def panel_ranking(call: Call) -> list[PanelResult]:
    """The closed panel's ranking of the call's applications (PanelNotClosed otherwise)."""
    from .models import Assignment, Panel, Score

    panel = Panel.objects.filter(call=call).first()
    if panel is None:
        raise PanelNotClosed(_("No expert panel was drawn for this call."))
    if not panel.is_closed:
        raise PanelNotClosed(_("The expert panel of this call is not closed yet: its scores are not final."))
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for assignment_id, points, weight in Score.objects.filter(assignment__panel=panel).values_list(
        "assignment_id", "points", "criterion__weight"
    ):
        totals[assignment_id] += points * weight
    by_application: dict[int, list[Decimal]] = defaultdict(list)
    submitted: dict[int, dt.datetime | None] = {}
    for assignment_id, application_id, scored_at, submitted_at in Assignment.objects.filter(panel=panel).values_list(
        "pk", "application_id", "scored_at", "application__submitted_at"
    ):
        submitted[application_id] = submitted_at
        if scored_at is not None:
            by_application[application_id].append(totals[assignment_id])
    return rank(
        Entry(application_id=pk, totals=tuple(by_application[pk]), submitted_at=submitted[pk]) for pk in submitted
    )
