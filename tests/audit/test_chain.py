"""The audit chain detects an edited, a deleted and a reordered event; verify_audit reports it."""

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from audit.services import audit_record, audit_verify
from measures.models import Measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain() -> list[AuditEvent]:
    measure = Measure.objects.get(number=17)
    return [
        audit_record(actor=None, action=f"test.step{n}", obj=measure, after={"n": n}, reason=f"理由{n}")
        for n in range(1, 6)
    ]


def test_an_intact_chain_verifies(chain: list[AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    assert audit_verify() is None
    call_command("verify_audit")
    assert "5 events" in capsys.readouterr().out
    assert [e.sequence for e in chain] == [1, 2, 3, 4, 5]
    assert chain[1].previous_hash == chain[0].hash


def test_an_edited_event_is_found(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=chain[2].pk).update(reason="改过的理由")
    problem = audit_verify()
    assert problem is not None and problem.sequence == 3 and problem.problem == "content changed"
    with pytest.raises(CommandError, match="#3"):
        call_command("verify_audit")


def test_a_deleted_event_is_found(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=chain[1].pk).delete()
    problem = audit_verify()
    assert problem is not None and problem.sequence == 2


def test_a_deleted_last_event_is_found(chain: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=chain[4].pk).delete()
    problem = audit_verify()
    assert problem is not None and problem.sequence == 5


def test_reordered_events_are_found(chain: list[AuditEvent]) -> None:
    # Swap the sequence numbers of events 2 and 4 (through a free number, for the unique index).
    AuditEvent.objects.filter(pk=chain[1].pk).update(sequence=99)
    AuditEvent.objects.filter(pk=chain[3].pk).update(sequence=2)
    AuditEvent.objects.filter(pk=chain[1].pk).update(sequence=4)
    problem = audit_verify()
    assert problem is not None and problem.sequence == 2
