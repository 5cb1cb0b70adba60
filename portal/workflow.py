"""One state machine for every record that has a status: applications, awards, payments,
disbursement batches, objections and export jobs.

Each app declares its table once, as data: the states with what they mean (open work, a time
limit running, editable by the applicant, the tone of the status tag, the applicant's next step)
and the transitions (action, from, to, who, and the guard that can still refuse: four-eyes, a
conflict of interest). `Workflow.transition()` is the only code that writes a status: it locks
the row, checks the version the caller saw, works out the actor's roles itself, checks the
table and the guard, applies the service's changes, saves, records the audit event and writes
the service's notifications (`notify`) in the same transaction, their emails going out after
commit through the outbox (portal/outbox.py). Pages and the API ask the same table which
actions to offer (`allowed_actions`). `tests/test_workflows.py` walks every table.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record

from .hooks import Hook

if TYPE_CHECKING:
    from audit.models import AuditEvent

M = TypeVar("M", bound=models.Model)

SYSTEM = "system"  # Celery beat and other work nobody in particular does: actor=None

# workflow=Workflow, record=the locked, saved record, source=the state it left, rule=the Transition.
# Inside the transition's transaction, after the save: the reports app keeps its tallies (summary
# rows of the dashboards) in step. A receiver that raises rolls the move back.
transitioned = Hook("transitioned")

# workflow=Workflow, records=list of records just created in a state (an application offered from a
# list, an award committed, payments in a new batch): sent by the creating service through
# `Workflow.created()`, in its transaction. Drafts and other records created in their workflow's
# start state by the applicant need not be announced when no receiver counts them.
created = Hook("created")


class TransitionNotAllowed(Exception):
    """The action is not allowed now (the API answers 409); the message says why."""


class ObjectChanged(TransitionNotAllowed):
    """Someone else changed the record since the caller read it."""


@dataclass(frozen=True)
class State:
    """What a state means, beside its name (the model's TextChoices label)."""

    open: bool = False  # work is still to be done by someone (queues, dashboards)
    timed: bool = False  # an official time limit runs (stage_due_on)
    editable: bool = False  # the applicant may change the answers
    closed: bool = False  # ended without an outcome
    tone: str = "progress"  # the status tag: neutral, progress, action, positive, negative, done
    stage: str = ""  # the coarser stage reports group it in
    next_step: Any = ""  # what the applicant should expect or do (lazy text)
    # The status tag's words on public pages, when they differ from the model's label (lazy text).
    public_label: Any = ""


@dataclass(frozen=True)
class Transition(Generic[M]):
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: Any  # lazy, for buttons and timelines
    # Whether the transition exists for this record at all (e.g. only for money-paying incentives).
    applies: Callable[[Any], bool] | None = None
    # Checked on the locked row after the table: raises TransitionNotAllowed with the reason.
    guard: Callable[[Any, Any], None] | None = None


def t(
    action: str,
    sources: Iterable[str],
    target: str,
    roles: Iterable[str],
    label: Any,
    *,
    applies: Callable[[Any], bool] | None = None,
    guard: Callable[[Any, Any], None] | None = None,
) -> Transition[Any]:
    return Transition(action, frozenset(sources), target, frozenset(roles), label, applies, guard)


@dataclass
class Workflow(Generic[M]):
    """A model's table of states and transitions, and the one function that moves a record."""

    name: str  # the audit events' prefix: "<name>.<action>"
    model: type[M]
    states: dict[str, State]
    transitions: tuple[Transition[M], ...]
    # The workflow roles the actor holds on this record (from the app's permissions module).
    roles_for: Callable[[Any, M], set[str]]
    status_field: str = "status"
    version_field: str | None = None  # incremented by every transition when set
    # Fields cleared on entering a state where they mean nothing (e.g. a time limit).
    on_enter: Callable[[M, str], None] | None = None
    # Runs on the locked row after every check and before the service's `changes`, while the record
    # still holds what the state it leaves had (e.g. the stage's due date): stage records are
    # written here.
    on_leave: Callable[[M, "Transition[M]"], None] | None = None
    select_related: tuple[str, ...] = ()
    # Whether each move is an audit event of its own. Export jobs' progress is not a decision.
    audited: bool = True
    # Refusals in the record's own words (lazy texts; "%(action)s" and "%(status)s" are filled in).
    not_allowed_message: Any = None
    wrong_state_message: Any = None
    changed_message: Any = None
    by_action: dict[str, Transition[M]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_action = {rule.action: rule for rule in self.transitions}
        unknown = {s for rule in self.transitions for s in (*rule.sources, rule.target)} - set(self.states)
        if unknown:
            raise ValueError(f"{self.name}: transitions name unknown states {sorted(unknown)}")
        if len(self.by_action) != len(self.transitions):
            raise ValueError(f"{self.name}: an action appears twice")

    # ── the table, read ──────────────────────────────────────────────────────────────────────

    def states_where(self, **flags: Any) -> frozenset[str]:
        return frozenset(v for v, s in self.states.items() if all(getattr(s, k) == want for k, want in flags.items()))

    @property
    def end_states(self) -> frozenset[str]:
        return frozenset(s for s in self.states if not any(s in rule.sources for rule in self.transitions))

    @property
    def start_states(self) -> frozenset[str]:
        return frozenset(s for s in self.states if not any(rule.target == s for rule in self.transitions))

    def tone(self, status: str) -> str:
        return self.states[status].tone

    def roles(self, actor: Any, obj: M) -> set[str]:
        return {SYSTEM} if actor is None else set(self.roles_for(actor, obj))

    def _applies(self, rule: Transition[M], obj: M) -> bool:
        return rule.applies is None or rule.applies(obj)

    def actions(self, obj: M, actor: Any) -> list[tuple[Transition[M], str | None]]:
        """Every action the actor's roles allow in the record's state, each with the guard's refusal
        (None: it may be taken). The guards run again, on the locked row, when one is taken."""
        held = self.roles(actor, obj)
        status = getattr(obj, self.status_field)
        found: list[tuple[Transition[M], str | None]] = []
        for rule in self.transitions:
            if status not in rule.sources or not rule.roles & held or not self._applies(rule, obj):
                continue
            refusal = None
            if rule.guard is not None:
                try:
                    rule.guard(actor, obj)
                except TransitionNotAllowed as refused:
                    refusal = str(refused)
            found.append((rule, refusal))
        return found

    def allowed_actions(self, obj: M, actor: Any) -> list[Transition[M]]:
        """The actions the actor may take now: the buttons pages show, the API's allowed_actions."""
        return [rule for rule, refusal in self.actions(obj, actor) if refusal is None]

    # ── the one write ────────────────────────────────────────────────────────────────────────

    def transition(
        self,
        obj: M,
        action: str,
        *,
        actor: Any,
        expected_version: int | None = None,
        changes: Callable[[M], dict[str, Any]] | None = None,
        reason: str = "",
        ip_address: str | None = None,
        visible_to_applicant: bool = True,
        notify: Callable[[M], None] | None = None,
        audit_after: dict[str, Any] | None = None,
    ) -> M:
        """Moves the record by `action`, or raises TransitionNotAllowed and changes nothing.

        `changes` runs on the locked row after every check and returns the audit's "after" extras;
        it may raise to refuse (the transaction rolls back). The returned record is the locked,
        saved one, with `audit_event` set when the move was audited.
        """
        rule = self.by_action[action]
        with transaction.atomic():
            # Only the record's own row is locked (PostgreSQL refuses FOR UPDATE on an outer join's
            # nullable side, and the related rows are for reading).
            rows = self.model._default_manager.select_for_update(of=("self",)).select_related(*self.select_related)
            locked = rows.get(pk=obj.pk)
            version = getattr(locked, self.version_field) if self.version_field else None
            if expected_version is not None and version is not None and version != expected_version:
                raise ObjectChanged(self._changed_message(locked))
            if not rule.roles & self.roles(actor, locked):
                raise TransitionNotAllowed(str(self.not_allowed_message or _("You may not take this action.")))
            status = getattr(locked, self.status_field)
            if status not in rule.sources or not self._applies(rule, locked):
                display = getattr(locked, f"get_{self.status_field}_display")()
                message = self.wrong_state_message or _("“%(action)s” is not possible while it is “%(status)s”.")
                raise TransitionNotAllowed(str(message) % {"action": rule.label, "status": display})
            if rule.guard is not None:
                rule.guard(actor, locked)
            if self.on_leave is not None:
                self.on_leave(locked, rule)
            extras = changes(locked) if changes else {}
            if self.on_enter is not None:
                self.on_enter(locked, rule.target)
            setattr(locked, self.status_field, rule.target)
            if self.version_field:
                setattr(locked, self.version_field, getattr(locked, self.version_field) + 1)
            locked.save()
            locked.audit_event = None  # type: ignore[attr-defined]  # set below when audited
            if self.audited:
                locked.audit_event = audit_record(  # type: ignore[attr-defined]
                    actor=actor,
                    action=f"{self.name}.{action}",
                    obj=locked,
                    before={self.status_field: status},
                    after={self.status_field: rule.target, **extras, **(audit_after or {})},
                    reason=reason,
                    ip_address=ip_address,
                    visible_to_applicant=visible_to_applicant,
                )
            transitioned.send(workflow=self, record=locked, source=status, rule=rule)
            if notify is not None:
                # In the same transaction: the notifications and their outbox rows (portal/outbox.py)
                # are kept with the move or rolled back with it; Celery sends them after commit.
                notify(locked)
        return locked

    def created(self, *records: M) -> None:
        """Announces records the caller just created in a state (see the `created` hook); call it in
        the creating transaction."""
        if records:
            created.send(workflow=self, records=list(records))

    def _changed_message(self, locked: M) -> str:
        from audit.models import AuditEvent

        last = (
            AuditEvent.objects.filter(object_type=locked._meta.label_lower, object_id=str(locked.pk))
            .order_by("-sequence")
            .first()
        )
        by = last.actor_label if last else _("someone else")
        message = self.changed_message or _("This was changed by %(by)s since you opened it. Reload to see the change.")
        return str(message) % {"by": by}


def audit_event_of(record: models.Model) -> "AuditEvent":
    """The audit event `transition()` set on the record it returned (a move of an audited workflow)."""
    from audit.models import AuditEvent

    event = getattr(record, "audit_event", None)
    assert isinstance(event, AuditEvent), "a record returned by an audited workflow's transition()"
    return event


# ── background jobs ──────────────────────────────────────────────────────────────────────────
# The states and moves every background job shares (report exports, applying a bank's results).
# Only the task moves a job (actor None: the system); progress is not a decision, so these tables
# are not audited move by move (the request is). A task may run twice (acks late): a running job
# starts again, and a failed one may be run again.


class JobStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Waiting to start")
    RUNNING = "running", gettext_lazy("In progress")
    DONE = "done", gettext_lazy("Ready")
    FAILED = "failed", gettext_lazy("Failed")


J = JobStatus
JOB_STATES: dict[str, State] = {
    J.QUEUED: State(open=True, tone="neutral"),
    J.RUNNING: State(open=True, tone="progress"),
    J.DONE: State(tone="done"),
    J.FAILED: State(tone="negative"),
}
JOB_TRANSITIONS: tuple[Transition[Any], ...] = (
    t("start", {J.QUEUED, J.RUNNING, J.FAILED}, J.RUNNING, {SYSTEM}, gettext_lazy("Start")),
    t("finish", {J.RUNNING}, J.DONE, {SYSTEM}, gettext_lazy("Finish")),
    t("fail", {J.QUEUED, J.RUNNING}, J.FAILED, {SYSTEM}, gettext_lazy("Fail")),
)


def nobody(actor: Any, job: Any) -> set[str]:
    """A job's roles_for: people request and read jobs; only the task (the system) moves them."""
    return set()


def job_failed(workflow: Workflow[M], job: M, exc: BaseException, *, field: str) -> M:
    """A job whose task stopped on `exc`: failed, the reason in `field` and `finished_at` set (not
    raised: the job may be run again). A job another run finished meanwhile is returned as it is."""
    reason = f"{type(exc).__name__}: {exc}"[:300]

    def failed(locked: M) -> dict[str, Any]:
        setattr(locked, field, reason)
        setattr(locked, "finished_at", timezone.now())  # noqa: B010  # every job model has it
        return {}

    try:
        return workflow.transition(job, "fail", actor=None, changes=failed)
    except TransitionNotAllowed:
        return workflow.model._default_manager.get(pk=job.pk)


REGISTRY: dict[str, Workflow[Any]] = {}


def register(workflow: Workflow[M]) -> Workflow[M]:
    """Every workflow of the portal, for the test that walks them all."""
    REGISTRY[workflow.name] = workflow
    return workflow
