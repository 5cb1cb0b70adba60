"""An identity check's states and moves (portal/workflow.py): a business licence waits for an
official, who approves or rejects it; the requester may withdraw it while it waits, and the system
withdraws what single sign-on or another decision made moot. The services in accounts/identity.py
say what each move changes."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.workflow import SYSTEM, State, TransitionNotAllowed, Workflow, register, t

from .models import ConflictOfInterest, IdentityCheck
from .permissions import may_verify_enterprises

S = IdentityCheck.Status
VERIFIER, REQUESTER = "verifier", "requester"

STATES: dict[str, State] = {
    S.PENDING: State(open=True, tone="action"),
    S.APPROVED: State(tone="positive"),
    S.REJECTED: State(tone="negative"),
    S.WITHDRAWN: State(closed=True, tone="neutral"),
}


def no_conflict_of_interest(actor: Any, check: IdentityCheck) -> None:
    if actor is not None and ConflictOfInterest.objects.filter(official=actor, applicant=check.applicant_id).exists():
        raise TransitionNotAllowed(_("You declared a conflict of interest with this enterprise."))


TRANSITIONS = (
    t("approve", {S.PENDING}, S.APPROVED, {VERIFIER}, gettext_lazy("Approve"), guard=no_conflict_of_interest),
    t("reject", {S.PENDING}, S.REJECTED, {VERIFIER}, gettext_lazy("Reject"), guard=no_conflict_of_interest),
    t("withdraw", {S.PENDING}, S.WITHDRAWN, {REQUESTER, SYSTEM}, gettext_lazy("Withdraw")),
)


def roles_for(actor: Any, check: IdentityCheck) -> set[str]:
    roles = set()
    if getattr(actor, "pk", None) == check.requested_by_id:
        roles.add(REQUESTER)
    elif may_verify_enterprises(actor):
        roles.add(VERIFIER)
    return roles


WORKFLOW: Workflow[IdentityCheck] = register(
    Workflow(
        name="identity_check",
        model=IdentityCheck,
        states=STATES,
        transitions=TRANSITIONS,
        roles_for=roles_for,
        select_related=("applicant", "requested_by"),
        not_allowed_message=gettext_lazy("Only officials who verify enterprises decide on business licences."),
        wrong_state_message=gettext_lazy("“%(action)s” is not possible: this request is “%(status)s”."),
    )
)
