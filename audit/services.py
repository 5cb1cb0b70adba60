"""Recording, sealing, publishing and verifying audit events.

    audit_record(actor=, action=, obj=, before=, after=, reason=, ip_address=, visible_to_applicant=)
        -> AuditEvent   inside the service's transaction; takes no lock
    audit_seal()        chains the committed events not sealed yet (after each commit, every minute
                        by beat, and before verify_audit); the only holder of the head's lock
    audit_head_publish(day) -> (AuditDailyHead, created)   the day's head, for the administrators' digest
    audit_verify(heads=[Head(position, mac)]) -> ChainProblem | None

Writers never wait for each other on the chain: an event takes its `sequence` from the database
and its content MAC from the key. Sealing takes the head's row lock only for the moment it chains
what has committed (a sealer already at work is skipped, not waited for: it, the next commit's
sealing or the next minute's takes the events it left), so a long transaction delays only the
sealing of its own events.
"""

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .macs import GENESIS, chain_mac, content_mac
from .models import AuditChainHead, AuditDailyHead, AuditEvent
from .selectors import Head, audit_head

# Events chained per sealing transaction (the head's lock is held for one batch at a time).
SEAL_BATCH = 500


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    ip_address: str | None = None,
    visible_to_applicant: bool = True,
) -> AuditEvent:
    """Writes one event in the caller's transaction; it is chained once that transaction commits."""
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor)[:150] if actor is not None else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=json.loads(json.dumps(before or {}, cls=DjangoJSONEncoder)),
        after=json.loads(json.dumps(after or {}, cls=DjangoJSONEncoder)),
        reason=reason,
        # As the database gives it back (an IPv6 address in its short lower-case form), for the MAC.
        ip_address=AuditEvent._meta.get_field("ip_address").to_python(ip_address),
        visible_to_applicant=visible_to_applicant,
    )
    event.content_mac = content_mac(event)
    event.save(force_insert=True)
    _seal_after_commit()
    return event


def _seal_after_commit() -> None:
    """Once per transaction, however many events it writes."""
    connection = transaction.get_connection()
    if any(callback is _seal_committed for _savepoints, callback, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_seal_committed, robust=True)


def _seal_committed() -> None:
    audit_seal(wait=False)


def _locked_head(*, wait: bool) -> AuditChainHead | None:
    if not AuditChainHead.objects.filter(pk=1).exists():
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
    return AuditChainHead.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()


def audit_seal(*, wait: bool = True) -> int:
    """Chains the committed, unsealed events in the order of their sequence; returns how many.

    With `wait=False` (after a commit) it gives way when another sealer holds the head."""
    sealed = 0
    while True:
        with transaction.atomic():
            head = _locked_head(wait=wait)
            if head is None:
                return sealed
            batch = list(AuditEvent.objects.filter(position__isnull=True).order_by("sequence")[:SEAL_BATCH])
            for event in batch:
                event.position = head.last_position + 1
                event.previous_mac = head.last_mac
                event.mac = chain_mac(
                    position=event.position,
                    sequence=event.sequence,
                    previous_mac=event.previous_mac,
                    content_mac=event.content_mac,
                )
                head.last_position, head.last_mac = event.position, event.mac
            if batch:
                AuditEvent.objects.bulk_update(batch, ["position", "previous_mac", "mac"])
                head.save(update_fields=["last_position", "last_mac"])
        sealed += len(batch)
        # Once more when events committed meanwhile: their own sealing may have given way to this one.
        if len(batch) < SEAL_BATCH and not AuditEvent.objects.filter(position__isnull=True).exists():
            return sealed


def audit_head_publish(day: dt.date | None = None) -> tuple[AuditDailyHead, bool]:
    """Seals what has committed and records it as the day's head, once per day: a second call
    returns the head already published (which may have been sent out), and False."""
    audit_seal()
    head = audit_head()
    return AuditDailyHead.objects.get_or_create(
        day=day or timezone.localdate(), defaults={"position": head.position, "mac": head.mac}
    )


@dataclass(frozen=True)
class ChainProblem:
    """Where the chain fails: a position of the chain, or (for an event not sealed yet) a sequence."""

    position: int | None
    problem: str
    sequence: int | None = None

    def __str__(self) -> str:
        where = f"position #{self.position}" if self.position is not None else "an unsealed event"
        if self.sequence is not None:
            where += f" (event #{self.sequence})"
        return f"{where}: {self.problem}"


def audit_verify(heads: Iterable[Head] = ()) -> ChainProblem | None:
    """The first place where an event was changed, removed, inserted, reordered or recomputed, or
    where the chain no longer reaches a published head (the days' heads and `heads`); None when intact.

    Without the key nobody can recompute a MAC; with it, a recomputed chain still differs from
    every head published before the rewrite, and a truncated one stops short of them."""
    stored = audit_head()  # read first: a sealing meanwhile only extends the chain beyond it
    checkpoints = [
        *(Head(h.position, h.mac, f"published on {h.day.isoformat()}") for h in AuditDailyHead.objects.order_by("day")),
        *heads,
    ]
    wanted = {h.position for h in checkpoints} | {stored.position}
    reached: dict[int, str] = {0: GENESIS}
    previous, expected = GENESIS, 1
    for event in AuditEvent.objects.filter(position__isnull=False).order_by("position").iterator(chunk_size=2000):
        if event.position != expected:
            return ChainProblem(expected, "missing or out of order")
        if event.previous_mac != previous:
            return ChainProblem(event.position, "does not follow the previous event", event.sequence)
        if content_mac(event) != event.content_mac:
            return ChainProblem(event.position, "content changed", event.sequence)
        mac = chain_mac(
            position=event.position, sequence=event.sequence, previous_mac=previous, content_mac=event.content_mac
        )
        if mac != event.mac:
            return ChainProblem(event.position, "moved or renumbered", event.sequence)
        if event.position in wanted:
            reached[event.position] = event.mac
        previous = event.mac
        expected += 1
    last = expected - 1
    if stored.position > last:
        return ChainProblem(last + 1, "missing at the end of the chain")
    if reached[stored.position] != stored.mac:
        return ChainProblem(stored.position, "the chain's head does not match its last event")
    for event in AuditEvent.objects.filter(position__isnull=True).order_by("sequence").iterator(chunk_size=2000):
        if content_mac(event) != event.content_mac:
            return ChainProblem(None, "content changed", event.sequence)
    for checkpoint in checkpoints:
        if checkpoint.position > last:
            return ChainProblem(checkpoint.position, f"the chain no longer reaches the head {checkpoint.label}")
        if reached[checkpoint.position] != checkpoint.mac:
            return ChainProblem(checkpoint.position, f"differs from the head {checkpoint.label}")
    return None
