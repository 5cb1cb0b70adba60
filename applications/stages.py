"""Stage records (applications.StageRecord): each timed stage an application leaves is written down
with its start, end, time limit and whether it ended within it, by the workflow itself
(`Workflow.on_leave`, before the service's changes move the due date).

`stages_from_moves` rebuilds the same records from the audit trail's transition events: migration
0010 used it to backfill every application's history.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps as global_apps
from django.db import transaction
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


BACKFILL_CHUNK = 2000
KIND = "applications.application"


def _moves(rows: Any) -> list[Move]:
    moves = []
    for action, at, before, after in rows:
        after = after or {}
        if "status" in after:  # a status change; comments, assignments, documents are not
            moves.append(Move(at, action.partition(".")[2], (before or {}).get("status", ""), after["status"], after))
    return moves


def backfill_stage_records(apps: Any = global_apps) -> None:
    """Stage records of the applications' history, from the audit trail's transition events, in
    chunks of applications with one transaction each (migration 0010; `manage.py
    backfill_stage_records` after loading history without the workflow). Events up to the run's
    start only: moves made meanwhile write their own records. Run again, it replaces the chunks'
    records up to its own start and gives the same result. `apps`: a migration's historical registry."""
    Application = apps.get_model("applications", "Application")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    StageRecord = apps.get_model("applications", "StageRecord")
    last_sequence = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    if last_sequence is None:
        return
    last = 0
    while True:
        chunk = list(
            Application.objects.filter(pk__gt=last)
            .exclude(status="draft")
            .order_by("pk")
            .values_list("pk", "status", "fiscal_year", "incentive_id", "incentive__handling_department_id")[
                :BACKFILL_CHUNK
            ]
        )
        if not chunk:
            return
        last = chunk[-1][0]
        events: dict[str, list[Any]] = defaultdict(list)
        found = (
            AuditEvent.objects.filter(
                object_type=KIND, object_id__in=[str(a[0]) for a in chunk], sequence__lte=last_sequence
            )
            .order_by("sequence")
            .values_list("object_id", "action", "at", "before", "after")
        )
        cutoff = None  # the chunk's last event: records left after it were written by moves since
        for object_id, *event in found:
            events[object_id].append(event)
            cutoff = event[1] if cutoff is None else max(cutoff, event[1])
        records: list[Any] = []
        stamps: list[tuple[int, dt.datetime]] = []
        for pk, status, fiscal_year, incentive_id, department_id in chunk:
            moves = _moves(events.get(str(pk), []))
            for stage in stages_from_moves(moves):
                records.append(
                    StageRecord(
                        application_id=pk,
                        status=stage.status,
                        action=stage.action,
                        entered_at=stage.entered_at,
                        left_at=stage.left_at,
                        due_on=stage.due_on,
                        in_time=ended_in_time(stage.left_at, stage.due_on),
                        seconds=duration_seconds(stage.entered_at, stage.left_at),
                        fiscal_year=fiscal_year,
                        incentive_id=incentive_id,
                        department_id=department_id,
                    )
                )
            if status in TIMED_STATES and moves:
                stamps.append((pk, moves[-1].at))
        with transaction.atomic():
            if cutoff is not None:
                StageRecord.objects.filter(application_id__in=[a[0] for a in chunk], left_at__lte=cutoff).delete()
            StageRecord.objects.bulk_create(records, batch_size=2000)
            for pk, at in stamps:  # unless a move since the run began stamped it
                Application.objects.filter(pk=pk, status_changed_at__isnull=True).update(status_changed_at=at)
