"""An objection's states and moves (portal/workflow.py runs them): lodged open, then upheld by an
approver (the award is withdrawn) or dismissed by a handler or approver of the announcing
department, never by an official who declared a conflict of interest with the applicant."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.workflow import Role
from portal.workflow import State, TransitionNotAllowed, Workflow, register
from portal.workflow import t as _t

from .models import Objection

S = Objection.Status


def no_conflict_of_interest(actor: Any, objection: Objection) -> None:
    from .permissions import has_conflict

    if actor is not None and has_conflict(actor, objection):
        raise TransitionNotAllowed(
            _("You declared a conflict of interest with the applicant concerned: another official resolves it.")
        )


STATES: dict[str, State] = {
    S.OPEN: State(open=True, tone="action"),
    S.UPHELD: State(tone="negative"),
    S.DISMISSED: State(tone="neutral"),
}
TRANSITIONS = (
    _t("uphold", {S.OPEN}, S.UPHELD, {Role.APPROVER}, gettext_lazy("Uphold"), guard=no_conflict_of_interest),
    _t(
        "dismiss",
        {S.OPEN},
        S.DISMISSED,
        {Role.HANDLER, Role.APPROVER},
        gettext_lazy("Dismiss"),
        guard=no_conflict_of_interest,
    ),
)


def _roles_for(actor: Any, objection: Objection) -> set[str]:
    from .permissions import objection_roles

    return objection_roles(actor, objection)


WORKFLOW: Workflow[Objection] = register(
    Workflow(
        name="objection",
        model=Objection,
        states=STATES,
        transitions=TRANSITIONS,
        roles_for=_roles_for,
        select_related=("announcement",),
    )
)
