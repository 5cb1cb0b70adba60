"""Stage records (applications.StageRecord): each timed stage an application leaves is written down
with its start, end, time limit and whether it ended within it, by the workflow itself
(`Workflow.on_leave`, before the service's changes move the due date).

`stages_from_moves` rebuilds the same records from the audit trail's transition events: migration
0010 used it to backfill every application's history.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from portal.workflow import Transition

from .hooks import stage_ended
from .models import Application, StageRecord
from .states import TIMED_STATES

# The moves that decide a review (拟支持, 拟不予支持, 办结): time-limit compliance counts these.
DECISION_ACTIONS = ("propose", "reject", "handle")


def ended_in_time(left_at: dt.datetime, due_on: dt.date | None) -> bool | None:
    """Left on or before the due date, in the portal's time zone; None when no time limit ran."""
    return None if due_on is None else timezone.localdate(left_at) <= due_on


def duration_seconds(entered_at: dt.datetime, left_at: dt.datetime) -> int:
    return max(0, int((left_at - entered_at).total_seconds()))


def stage_leave(application: Application, rule: Transition[Application]) -> None:
    """The application workflow's `on_leave`: records the timed stage the application leaves (and
    tells the reports app, through `stage_ended`), and stamps when its new status begins."""
    now = timezone.now()
    if application.status in TIMED_STATES:
        entered_at = application.status_changed_at or application.submitted_at or application.created_at
        record = StageRecord.objects.create(
            application=application,
            status=application.status,
            action=rule.action,
            entered_at=entered_at,
            left_at=now,
            seconds=duration_seconds(entered_at, now),
            due_on=application.stage_due_on,
            in_time=ended_in_time(now, application.stage_due_on),
            fiscal_year=application.fiscal_year,
            incentive_id=application.incentive_id,
            department_id=application.incentive.handling_department_id,
        )
        stage_ended.send(record=record)
    application.status_changed_at = now


@dataclass(frozen=True)
class Move:
    """A transition of one application, as the audit trail records it."""

    at: dt.datetime
    action: str  # without the "application." prefix
    source: str
    target: str
    after: dict[str, Any]


@dataclass(frozen=True)
class Stage:
    status: str
    action: str
    entered_at: dt.datetime
    left_at: dt.datetime
    due_on: dt.date | None

    @property
    def in_time(self) -> bool | None:
        return ended_in_time(self.left_at, self.due_on)


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def stages_from_moves(moves: Iterable[Move]) -> Iterator[Stage]:
    """The timed stages one application went through, from its moves in order. The due date in
    force is the one the last move set: submission, a supplement and acceptance record theirs
    (`stage_due_on`), a return for supplement its deadline; entering an untimed state clears it."""
    entered: dt.datetime | None = None
    due: dt.date | None = None
    for move in moves:
        if move.source in TIMED_STATES and entered is not None:
            yield Stage(move.source, move.action, entered, move.at, due)
        if "stage_due_on" in move.after:
            due = _day(move.after["stage_due_on"])
        elif move.action == "return":
            due = _day(move.after.get("supplement_deadline"))
        elif move.target not in TIMED_STATES:
            due = None
        entered = move.at
