"""Recording and verifying audit events."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent


def _digest(previous_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}|{payload}".encode()).hexdigest()


def _content(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "ip_address": event.ip_address,
        "visible_to_applicant": event.visible_to_applicant,
    }


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
    """Appends one event to the chain; call it inside the service's transaction."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=str(actor) if actor is not None else "system",
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            before=json.loads(json.dumps(before or {}, cls=DjangoJSONEncoder)),
            after=json.loads(json.dumps(after or {}, cls=DjangoJSONEncoder)),
            reason=reason,
            ip_address=ip_address,
            visible_to_applicant=visible_to_applicant,
            previous_hash=head.last_hash,
        )
        event.hash = _digest(event.previous_hash, _content(event))
        event.save()
        head.last_sequence, head.last_hash = event.sequence, event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    problem: str


def audit_verify() -> ChainProblem | None:
    """The first event that was changed, removed or inserted out of order; None when intact."""
    previous_hash = "0" * 64
    expected = 1
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        if event.sequence != expected:
            return ChainProblem(expected, "missing or out of order")
        if event.previous_hash != previous_hash:
            return ChainProblem(event.sequence, "does not follow the previous event")
        if _digest(previous_hash, _content(event)) != event.hash:
            return ChainProblem(event.sequence, "content changed")
        previous_hash = event.hash
        expected += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_sequence != expected - 1:
        return ChainProblem(expected, "missing at the end of the chain")
    return None
