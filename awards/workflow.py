"""An award's states and moves (portal/workflow.py runs them). An award follows its application:
committed at approval, final when the announcement (公示) ends without objection, paid when the
bank confirms, withdrawn when an upheld objection takes it back. The budget's figures move in the
same transaction, in the service that takes the step."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from applications.workflow import Role
from portal.workflow import State, Workflow, register
from portal.workflow import t as _t

from .models import Award

S = Award.Status
STATES: dict[str, State] = {
    S.COMMITTED: State(open=True, tone="progress"),
    S.FINAL: State(open=True, tone="positive"),
    S.PAID: State(tone="done"),
    S.WITHDRAWN: State(tone="neutral"),
}
TRANSITIONS = (
    _t("finalise", {S.COMMITTED}, S.FINAL, {Role.SYSTEM, Role.APPROVER}, _("Finalise")),
    _t("pay", {S.FINAL}, S.PAID, {Role.FINANCE}, _("Record payment")),
    _t("withdraw", {S.COMMITTED}, S.WITHDRAWN, {Role.APPROVER, Role.SYSTEM}, _("Withdraw the award")),
)


def _roles_for(actor: Any, award: Award) -> set[str]:
    from .permissions import roles_for

    return roles_for(actor, award)


WORKFLOW: Workflow[Award] = register(
    Workflow(
        name="award",
        model=Award,
        states=STATES,
        transitions=TRANSITIONS,
        roles_for=_roles_for,
        select_related=("application",),
    )
)
