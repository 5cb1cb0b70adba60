"""Stage records of the applications' history, from the audit trail's transition events (the same
walk as applications.stages.stages_from_moves), so that the dashboards of existing data stay right;
the applications now in a timed state get `status_changed_at` from their last move.

Not atomic: one transaction per chunk of applications, so no lock or deferred check is held for
the whole run (about 20 minutes at a million applications and four million events on 2 cores).
Events up to the run's start only: moves made meanwhile wrote their own records. Run again after
an interruption, it replaces the chunks' records up to its own start and gives the same result.
"""

from collections import defaultdict

from django.db import migrations, transaction

from applications.stages import Move, duration_seconds, ended_in_time, stages_from_moves
from applications.states import TIMED_STATES

CHUNK = 2000
KIND = "applications.application"


def _moves(rows):
    moves = []
    for action, at, before, after in rows:
        after = after or {}
        if "status" in after:  # a status change; comments, assignments, documents are not
            moves.append(Move(at, action.partition(".")[2], (before or {}).get("status", ""), after["status"], after))
    return moves


def backfill(apps, schema_editor):
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
            .values_list("pk", "status", "fiscal_year", "incentive_id", "incentive__handling_department_id")[:CHUNK]
        )
        if not chunk:
            return
        last = chunk[-1][0]
        events = defaultdict(list)
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
        records, stamps = [], []
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


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("applications", "0009_stage_records"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
