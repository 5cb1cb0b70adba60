"""An award's states and moves (portal/workflow.py runs them). An award follows its application:
committed at approval, final when the announcement (公示) ends without objection, paid when the
bank confirms, withdrawn when an upheld objection takes it back, cancelled when its payment failed
and finance decides not to retry it. The budget's figures move in the same transaction, in the
service that takes the step."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from applications.workflow import Role
from portal.workflow import State, Workflow, register
from portal.workflow import t as _t

from .models import Award

S = Award.Status
# public_label: the words the public announcement (公示) uses for the award's state.
STATES: dict[str, State] = {
    S.COMMITTED: State(open=True, tone="progress", public_label=_("Announced")),
    S.FINAL: State(open=True, tone="positive", public_label=_("Final")),
    S.PAID: State(tone="done", public_label=_("Paid")),
    S.WITHDRAWN: State(tone="negative", public_label=_("Withdrawn after an objection")),
    S.CANCELLED: State(tone="negative", public_label=_("Payment cancelled")),
}
TRANSITIONS = (
    _t("finalise", {S.COMMITTED}, S.FINAL, {Role.SYSTEM, Role.APPROVER}, _("Finalise")),
    _t("pay", {S.FINAL}, S.PAID, {Role.FINANCE}, _("Record payment")),
    _t("withdraw", {S.COMMITTED}, S.WITHDRAWN, {Role.APPROVER, Role.SYSTEM}, _("Withdraw the award")),
    _t("cancel", {S.FINAL}, S.CANCELLED, {Role.FINANCE}, _("Cancel the award after a failed payment")),
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
        select_related=("application__applicant",),  # the applicant's city: the dashboards' tallies
    )
)
