"""The audit chain (HMAC-SHA256 under AUDIT_HMAC_KEY, sealed after commit, heads published daily):
verify_audit detects each way of tampering with it — an edited event, a deleted one, reordered
ones, a truncated chain with its head rewound, and a rewritten event with every later MAC
recomputed (without the key, and even with it, against a published head)."""

import datetime as dt
import hashlib
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction

from accounts.models import User
from audit import macs
from audit.models import AuditChainHead, AuditDailyHead, AuditEvent
from audit.selectors import Head, audit_head
from audit.services import audit_head_publish, audit_record, audit_seal, audit_verify
from measures.models import Measure

pytestmark = pytest.mark.django_db


def record(n: int) -> AuditEvent:
    return audit_record(
        actor=None, action=f"test.step{n}", obj=Measure.objects.get(number=17), after={"n": n}, reason=f"理由{n}"
    )


@pytest.fixture
def chain() -> list[AuditEvent]:
    """Five sealed events (a test's transaction never commits: sealed here as beat would)."""
    recorded = [record(n) for n in range(1, 6)]
    assert audit_seal() == 5
    sealed = list(AuditEvent.objects.order_by("position"))
    assert [e.sequence for e in sealed] == [e.sequence for e in recorded]
    return sealed


def at(position: int) -> AuditEvent:
    return AuditEvent.objects.get(position=position)


def rewind_head_to(position: int) -> None:
    event = at(position)
    AuditChainHead.objects.filter(pk=1).update(last_position=position, last_mac=event.mac)


def test_an_intact_chain_verifies(chain: list[AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    assert audit_verify() is None
    call_command("verify_audit")
    assert "5 events, head 5:" in capsys.readouterr().out
    assert [e.position for e in chain] == [1, 2, 3, 4, 5]
    assert [e.sequence for e in chain] == sorted(e.sequence for e in chain)
    assert chain[0].previous_mac == macs.GENESIS and chain[1].previous_mac == chain[0].mac
    assert audit_head() == Head(5, chain[4].mac)


def test_what_the_database_gives_back_has_the_same_mac() -> None:
    """Addresses, amounts, dates and long names are stored as the MAC saw them."""
    long_name = User(username="u", display_name="名" * 200)
    audit_record(
        actor=long_name,
        action="test.values",
        obj=Measure.objects.get(number=17),
        before={"amount": Decimal("500000.01"), "on": dt.date(2026, 1, 5), "ratio": 0.5, "nested": {"b": 1, "a": [2]}},
        after={"at": dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC), "text": "第一行\r\n第二行"},
        ip_address="2001:DB8:0:0:0:0:0:1",
    )
    assert audit_seal() == 1
    assert AuditEvent.objects.get().ip_address == "2001:db8::1"
    assert audit_verify() is None


def test_the_macs_are_keyed(chain: list[AuditEvent], settings: Any) -> None:
    """The same events under another key have other MACs: the key, not the database, vouches."""
    settings.AUDIT_HMAC_KEY = "another-key-another-key-another-key"
    problem = audit_verify()
    assert problem is not None and problem.position == 1 and problem.problem == "content changed"


def test_events_are_sealed_once_their_transaction_commits(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        events = [record(n) for n in range(1, 4)]
        assert {e.position for e in AuditEvent.objects.all()} == {None}  # nothing chained before commit
    assert len(callbacks) == 1  # one sealing per transaction, however many events it wrote
    assert list(AuditEvent.objects.order_by("position").values_list("sequence", "position")) == [
        (e.sequence, n) for n, e in enumerate(events, start=1)
    ]
    assert audit_verify() is None


def test_an_event_not_sealed_yet_is_protected_by_its_content_mac(chain: list[AuditEvent]) -> None:
    pending = record(6)
    assert audit_verify() is None
    AuditEvent.objects.filter(pk=pending.pk).update(reason="改过的理由")
    problem = audit_verify()
    assert problem is not None and (problem.position, problem.sequence) == (None, pending.sequence)
    assert problem.problem == "content changed"


# ── the five tamperings ─────────────────────────────────────────────────────────────────────────


def test_an_edited_event_is_found(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=at(3).pk).update(reason="改过的理由")
    problem = audit_verify()
    assert problem is not None and problem.position == 3 and problem.problem == "content changed"
    with pytest.raises(CommandError, match="position #3"):
        call_command("verify_audit")


def test_a_deleted_event_is_found(chain: list[AuditEvent]) -> None:
    at(2).delete()
    problem = audit_verify()
    assert problem is not None and problem.position == 2 and problem.problem == "missing or out of order"


def test_reordered_events_are_found(chain: list[AuditEvent]) -> None:
    # Swap the positions of events 2 and 4 (through a free number, for the unique index).
    second, fourth = at(2).pk, at(4).pk
    AuditEvent.objects.filter(pk=second).update(position=99)
    AuditEvent.objects.filter(pk=fourth).update(position=2)
    AuditEvent.objects.filter(pk=second).update(position=4)
    problem = audit_verify()
    assert problem is not None and problem.position == 2


def test_a_truncated_chain_with_its_head_rewound_no_longer_reaches_the_published_head(
    chain: list[AuditEvent], administrator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from reports.services import audit_head_digest_send

    with django_capture_on_commit_callbacks(execute=True):
        audit_head_digest_send()
    (message,) = [m for m in mail.outbox if m.to == [administrator.email]]
    emailed = re.search(r"--head (\d+:[0-9a-f]{64})", message.body)
    assert emailed is not None and emailed.group(1) == f"5:{chain[4].mac}"

    # Delete the last two events and rewind the head: what is left is a consistent chain.
    AuditEvent.objects.filter(position__gt=3).delete()
    rewind_head_to(3)
    problem = audit_verify()
    assert problem is not None and problem.position == 5
    assert "no longer reaches the head published on" in problem.problem

    # Delete the published heads too: the copy in the administrators' mail still catches it.
    AuditDailyHead.objects.all().delete()
    assert audit_verify() is None  # the database alone cannot tell any more…
    with pytest.raises(CommandError, match="no longer reaches the head given as 5:"):
        call_command("verify_audit", "--head", emailed.group(1))


def _recompute_from(position: int, mac: Any, content_mac: Any) -> None:
    """What an intruder with write access does: rewrites each MAC from `position` on, and the head."""
    previous = at(position - 1).mac if position > 1 else macs.GENESIS
    for event in AuditEvent.objects.filter(position__gte=position).order_by("position"):
        event.content_mac = content_mac(event)
        event.previous_mac = previous
        event.mac = mac(event)
        event.save(update_fields=["content_mac", "previous_mac", "mac"])
        previous = event.mac
    rewind_head_to(AuditEvent.objects.order_by("-position").values_list("position", flat=True).first() or 0)


def test_a_rewritten_event_with_every_later_hash_recomputed_without_the_key_is_found(
    chain: list[AuditEvent],
) -> None:
    AuditEvent.objects.filter(pk=at(2).pk).update(after={"n": 200})

    def sha256(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    _recompute_from(
        2,
        mac=lambda e: sha256(f"{e.position}|{e.sequence}|{e.previous_mac}|{e.content_mac}"),
        content_mac=lambda e: sha256(repr(macs.content(e))),
    )
    problem = audit_verify()
    assert problem is not None and problem.position == 2 and problem.problem == "content changed"


def test_a_chain_recomputed_with_the_key_still_differs_from_the_published_head(chain: list[AuditEvent]) -> None:
    published, created = audit_head_publish()
    assert created and (published.position, published.mac) == (5, chain[4].mac)
    assert audit_head_publish() == (published, False)  # once a day

    AuditEvent.objects.filter(pk=at(2).pk).update(after={"n": 200})
    _recompute_from(
        2,
        mac=lambda e: macs.chain_mac(
            position=e.position, sequence=e.sequence, previous_mac=e.previous_mac, content_mac=e.content_mac
        ),
        content_mac=macs.content_mac,
    )
    problem = audit_verify(heads=[Head.parse(f"5:{chain[4].mac}")])
    assert problem is not None and problem.position == 5
    assert problem.problem == f"differs from the head published on {published.day.isoformat()}"


# ── the command's heads ─────────────────────────────────────────────────────────────────────────


def test_verify_audit_checks_given_heads(chain: list[AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("verify_audit", "--head", f"3:{chain[2].mac}", "--head", f"5:{chain[4].mac.upper()}")
    assert "reaches 0 published and 2 given heads" in capsys.readouterr().out
    with pytest.raises(CommandError, match="differs from the head given as 3:"):
        call_command("verify_audit", "--head", f"3:{chain[1].mac}")
    with pytest.raises(CommandError, match="not a head"):
        call_command("verify_audit", "--head", "3:abc")


def test_verify_audit_seals_what_has_committed_first(capsys: pytest.CaptureFixture[str]) -> None:
    record(1)
    assert audit_head().position == 0
    call_command("verify_audit")
    assert "1 events, head 1:" in capsys.readouterr().out
