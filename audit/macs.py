"""The audit chain's MACs (HMAC-SHA256 under settings.AUDIT_HMAC_KEY), as plain functions of an
event's values, so the services and the migration that keyed the chain compute the same ones.

    content_mac(event)                      written with the event: its content under the key
    chain_mac(position, sequence, previous_mac, content_mac)   written when the event is sealed
"""

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder

# The MAC before the first event of the chain.
GENESIS = "0" * 64


def _key() -> bytes:
    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY must be set: the audit chain is keyed with it")
    return str(key).encode()


def _mac(label: str, message: str) -> str:
    return hmac.new(_key(), f"{label}|{message}".encode(), hashlib.sha256).hexdigest()


def content(event: Any) -> dict[str, Any]:
    """What the content MAC covers: everything the event says (not its numbers in the chain)."""
    return {
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


def content_mac(event: Any) -> str:
    payload = json.dumps(
        content(event), sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":")
    )
    return _mac("content", payload)


def chain_mac(*, position: int, sequence: int, previous_mac: str, content_mac: str) -> str:
    return _mac("chain", f"{position}|{sequence}|{previous_mac}|{content_mac}")
