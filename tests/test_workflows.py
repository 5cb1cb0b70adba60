"""Every state machine of the portal, walked: the tables are sound, each model's states are the
table's, nothing but `Workflow.transition()` writes a status, and the guards the table carries
(four-eyes, conflicts of interest) refuse what they should, on pages' buttons and in services."""

import ast
from collections import deque
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

import accounts.workflow  # noqa: F401  # registers the identity checks' table
from accounts.models import OfficialRole
from announcements.models import Objection
from announcements.services import (
    AnnouncementNotAllowed,
    announcement_publish,
    awards_finalise_due,
    objection_lodge,
    objection_resolve,
)
from announcements.workflow import WORKFLOW as OBJECTIONS
from audit.models import AuditEvent
from awards.models import Award
from disbursement.workflow import BATCH
from portal.workflow import REGISTRY, SYSTEM, TransitionNotAllowed
from reports.models import ExportJob
from reports.workflow import WORKFLOW as EXPORT_JOBS
from tests.factories import ConflictOfInterestFactory, OfficialFactory
from tests.support.announcements import approved_quickly, days_after, publish_kwargs, set_budget

ROOT = Path(__file__).resolve().parent.parent
# Importing each app's workflow registers it.
WORKFLOWS = {
    "application", "award", "objection", "disbursement", "payment", "export_job", "results_job", "identity_check",
}  # fmt: skip


def test_every_stateful_model_has_a_registered_table() -> None:
    import applications.workflow  # noqa: F401
    import awards.workflow  # noqa: F401
    import disbursement.workflow  # noqa: F401

    assert set(REGISTRY) >= WORKFLOWS


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_the_table_is_sound(name: str) -> None:
    workflow = REGISTRY[name]
    field = workflow.model._meta.get_field(workflow.status_field)
    # The table's states are exactly the model's choices, and every transition names known states.
    assert set(workflow.states) == {value for value, _label in field.choices}
    for rule in workflow.transitions:
        assert rule.sources and rule.roles and rule.target in workflow.states, rule
        assert rule.sources <= set(workflow.states), rule
    # End states have no way out; every state is reachable from where records begin (the field's default).
    for end in workflow.end_states:
        assert not [r for r in workflow.transitions if end in r.sources]
    starts = workflow.start_states | {field.default}
    seen, todo = set(starts), deque(starts)
    while todo:
        state = todo.popleft()
        for rule in workflow.transitions:
            if state in rule.sources and rule.target not in seen:
                seen.add(rule.target)
                todo.append(rule.target)
    assert seen == set(workflow.states), f"unreachable in {name}: {set(workflow.states) - seen}"


def _status_fields() -> set[str]:
    return {workflow.status_field for workflow in REGISTRY.values()}


def _writes_of_status(path: Path) -> list[str]:
    """Assignments `x.status = …`, `setattr(x, "status", …)` and `.update(status=…)`."""
    fields, found = _status_fields(), []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Assign):
            targets = [e for t in node.targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        found += [f"{path.relative_to(ROOT)}:{node.lineno}" for t in targets if getattr(t, "attr", None) in fields]
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in ("update", "bulk_update") and any(k.arg in fields for k in node.keywords):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if name == "setattr" and len(node.args) > 1 and getattr(node.args[1], "value", None) in fields:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_status_is_written_outside_the_transition_tables() -> None:
    code = [
        p
        for p in ROOT.glob("*/**/*.py")
        if p.parts[len(ROOT.parts)] not in ("tests", "bench", ".venv", "var")
        and "migrations" not in p.parts
        and p != ROOT / "portal" / "workflow.py"
    ]
    assert len(code) > 100
    writes = [w for path in code for w in _writes_of_status(path)]
    assert writes == []


def test_the_walk_finds_a_status_write() -> None:
    """The static check above can fail: it sees each kind of write it looks for."""
    sample = ROOT / "var" / "status_write_sample.py"
    sample.parent.mkdir(exist_ok=True)
    sample.write_text('a.status = "x"\nA.objects.update(status="y")\nsetattr(a, "status", "z")\n', encoding="utf-8")
    try:
        assert len(_writes_of_status(sample)) == 3
    finally:
        sample.unlink()


# ── guards ────────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def announced(db):
    set_budget("9000000")
    handler = OfficialFactory(role=OfficialRole.HANDLER)
    application = approved_quickly()
    announcement = announcement_publish(
        actor=handler, department=handler.department, applications=[application], **publish_kwargs()
    )
    return announcement, announcement.entries.get(), application


def _objection(announcement, entry) -> Objection:
    return objection_lodge(
        actor=None, announcement=announcement, entry=entry, name="李四", contact="13800000000", reason="材料不实"
    )


def test_an_official_with_a_conflict_of_interest_cannot_dismiss_an_objection(announced) -> None:
    announcement, entry, application = announced
    objection = _objection(announcement, entry)
    handler = OfficialFactory(role=OfficialRole.HANDLER)
    ConflictOfInterestFactory(official=handler, applicant=application.applicant)

    assert [rule.action for rule, refusal in OBJECTIONS.actions(objection, handler) if refusal] == ["dismiss"]
    assert OBJECTIONS.allowed_actions(objection, handler) == []
    with translation.override("zh-hans"), pytest.raises(AnnouncementNotAllowed) as refused:
        objection_resolve(actor=handler, objection=objection, upheld=False, resolution="不属实")
    assert "利益冲突" in refused.value.message  # said in the portal's language
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.OPEN
    assert not AuditEvent.objects.filter(action="objection.dismiss").exists()

    colleague = OfficialFactory(role=OfficialRole.HANDLER)
    assert [r.action for r in OBJECTIONS.allowed_actions(objection, colleague)] == ["dismiss"]
    objection_resolve(actor=colleague, objection=objection, upheld=False, resolution="不属实")
    assert Objection.objects.get(pk=objection.pk).status == Objection.Status.DISMISSED


def test_an_awards_moves_are_on_the_audit_trail(announced) -> None:
    announcement, _entry, application = announced
    assert awards_finalise_due(today=days_after(announcement, 1)) == [application.reference]
    award = Award.objects.get(application=application)
    assert award.status == Award.Status.FINAL and award.finalised_at is not None
    event = AuditEvent.objects.get(action="award.finalise", object_id=str(award.pk))
    assert (event.before, event.after) == ({"status": "committed"}, {"status": "final"})
    assert event.actor is None  # the system (Celery beat), not a person


def test_the_builder_of_a_batch_is_not_offered_its_approval(db) -> None:
    from disbursement.models import DisbursementBatch

    builder, other = OfficialFactory.create_batch(2, role=OfficialRole.FINANCE)
    batch = DisbursementBatch.objects.create(number="PF-TEST-0001", created_by=builder)
    assert [r.action for r in BATCH.allowed_actions(batch, builder)] == ["discard"]  # but not approve
    assert [r.action for r in BATCH.allowed_actions(batch, other)] == ["approve", "discard"]
    with pytest.raises(TransitionNotAllowed):
        BATCH.transition(batch, "approve", actor=builder)
    assert BATCH.transition(batch, "approve", actor=other).status == DisbursementBatch.Status.APPROVED


def test_only_the_system_moves_an_export_job(db) -> None:
    requester = OfficialFactory(role=OfficialRole.ADMINISTRATOR, department="finance")
    job = ExportJob.objects.create(report="ledger", format="csv", requested_by=requester)
    assert EXPORT_JOBS.allowed_actions(job, requester) == []
    with pytest.raises(TransitionNotAllowed):
        EXPORT_JOBS.transition(job, "start", actor=requester)
    assert EXPORT_JOBS.roles(None, job) == {SYSTEM}
    started = EXPORT_JOBS.transition(job, "start", actor=None)
    assert started.status == ExportJob.Status.RUNNING
    assert not AuditEvent.objects.filter(object_type="reports.exportjob", action__startswith="export_job.").exists()


def test_a_refused_change_leaves_nothing_behind(announced) -> None:
    """A service's `changes` that raises rolls the whole move back: status, fields and audit."""
    _announcement, _entry, application = announced
    award = Award.objects.get(application=application)
    events = AuditEvent.objects.count()

    def refuse(locked: Award) -> dict:
        locked.amount = Decimal("1")
        raise TransitionNotAllowed("no")

    with pytest.raises(TransitionNotAllowed):
        REGISTRY["award"].transition(award, "finalise", actor=None, changes=refuse)
    award.refresh_from_db()
    assert (award.status, award.amount) == (Award.Status.COMMITTED, Decimal("3000000.00"))
    assert AuditEvent.objects.count() == events
