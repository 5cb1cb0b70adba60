"""Reads of the audit trail shared by pages and commands: the chain's head and the published heads."""

from dataclasses import dataclass

from django.db.models import QuerySet

from .macs import GENESIS
from .models import AuditChainHead, AuditDailyHead


@dataclass(frozen=True)
class Head:
    """A head of the chain to check against: a published one, or one given to verify_audit."""

    position: int
    mac: str
    label: str = ""

    @classmethod
    def parse(cls, text: str) -> "Head":
        """`POSITION:MAC`, as the digest and the page print it; ValueError otherwise."""
        position, separator, mac = text.strip().partition(":")
        mac = mac.strip().lower()
        if not separator or not position.strip().isdigit() or len(mac) != 64 or set(mac) - set("0123456789abcdef"):
            raise ValueError(f"not a head (POSITION:MAC, a number and 64 hexadecimal digits): {text!r}")
        return cls(int(position), mac, f"given as {int(position)}:{mac[:12]}…")

    def __str__(self) -> str:
        return f"{self.position}:{self.mac}"


def audit_head() -> Head:
    """The chain's current head (position 0 and the genesis MAC when nothing is sealed yet)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    return Head(head.last_position, head.last_mac) if head else Head(0, GENESIS)


def published_heads() -> QuerySet[AuditDailyHead]:
    """The days' heads, newest first."""
    return AuditDailyHead.objects.order_by("-day")
