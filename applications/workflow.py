"""Every move an application can make, in one table (portal/workflow.py runs it).

A transition names its action, the states it leaves from, the state it reaches, who may take it
and the guard that can still refuse (four-eyes). `transition()` locks the row, checks the version
the caller saw, works out the actor's roles (applications/permissions.py), checks the table,
saves, records the audit event and schedules notifications after commit. Leaving a timed state
writes a StageRecord (applications/stages.py). Nothing else assigns
`Application.status`; the buttons a page shows come from `allowed_actions()`. What each state
means is in applications/states.py.
"""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.workflow import SYSTEM, ObjectChanged, TransitionNotAllowed, Workflow, register
from portal.workflow import Transition as Transition
from portal.workflow import t as _t

from .models import Application
from .stages import stage_leave
from .states import STATES, TIMED_STATES, Status

__all__ = [
    "BY_ACTION",
    "END_STATES",
    "NEXT_STEP_FOR_APPLICANT",
    "START_STATES",
    "TIMED_STATES",
    "TRANSITIONS",
    "ApplicationChanged",
    "Role",
    "Transition",
    "TransitionNotAllowed",
    "allowed_actions",
    "transition",
]


class Role:
    APPLICANT = "applicant"
    HANDLER = "handler"  # 经办人
    APPROVER = "approver"  # 审核人
    FINANCE = "finance"
    CITY_HANDLER = "city_handler"  # the city bureau of the applicant's registered city (地市初审)
    CITY_APPROVER = "city_approver"
    SYSTEM = SYSTEM  # Celery beat: lapses, finalisation


class ApplicationChanged(ObjectChanged):
    """Someone else changed the application since the caller read it."""


def _monetary(application: Application) -> bool:
    return application.incentive.pays_money


def _not_monetary(application: Application) -> bool:
    return not application.incentive.pays_money


def four_eyes(actor: Any, application: Application) -> None:
    """审核人 ≠ 经办人: the approver is another official than the handler who proposed or worked it."""
    if actor is not None and actor.pk in (application.proposed_by_id, application.assigned_to_id):
        raise TransitionNotAllowed(gettext("The approver must be another official than the handler who proposed it."))


def city_first(application: Application) -> bool:
    """The application's call sends it to the city bureau first (地市初审推荐)."""
    call = application.call
    return call is not None and call.review_path == "city_first"


def province_first(application: Application) -> bool:
    return not city_first(application)


def _city_recommends(application: Application) -> bool:
    return application.city_recommended is True


def _city_does_not_recommend(application: Application) -> bool:
    return application.city_recommended is False


def city_four_eyes(actor: Any, application: Application) -> None:
    """The city bureau's sign-off is another official's than the proposer's."""
    if actor is not None and actor.pk == application.city_proposed_by_id:
        raise TransitionNotAllowed(
            gettext("The city approver must be another official than the one who proposed the recommendation.")
        )


S = Status
R = Role
OPEN_BEFORE_DECISION = {S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.UNDER_REVIEW}
WITH_THE_CITY = {S.CITY_REVIEW, S.CITY_RETURNED, S.CITY_PROPOSED}

TRANSITIONS: tuple[Transition[Application], ...] = (
    _t("submit", {S.DRAFT}, S.SUBMITTED, {R.APPLICANT}, _("Submit"), applies=province_first),
    _t(
        "withdraw",
        OPEN_BEFORE_DECISION | WITH_THE_CITY | {S.PROPOSED, S.REJECTION_PROPOSED},
        S.WITHDRAWN,
        {R.APPLICANT},
        _("Withdraw"),
    ),
    # 地市初审推荐: the city bureau of the applicant's registered city reviews it first; only what it
    # recommends (signed by a second official) reaches the provincial department as "submitted".
    _t("submit_to_city", {S.DRAFT}, S.CITY_REVIEW, {R.APPLICANT}, _("Submit"), applies=city_first),
    _t("city_return", {S.CITY_REVIEW}, S.CITY_RETURNED, {R.CITY_HANDLER}, _("Return for supplement")),
    _t("city_supplement", {S.CITY_RETURNED}, S.CITY_REVIEW, {R.APPLICANT}, _("Send the supplement")),
    _t("recommend", {S.CITY_REVIEW}, S.CITY_PROPOSED, {R.CITY_HANDLER}, _("Propose to recommend")),
    _t("not_recommend", {S.CITY_REVIEW}, S.CITY_PROPOSED, {R.CITY_HANDLER}, _("Propose not to recommend")),
    _t(
        "forward",
        {S.CITY_PROPOSED},
        S.SUBMITTED,
        {R.CITY_APPROVER},
        _("Sign: recommend to the province"),
        applies=_city_recommends,
        guard=city_four_eyes,
    ),
    _t(
        "confirm_not_recommended",
        {S.CITY_PROPOSED},
        S.CITY_NOT_RECOMMENDED,
        {R.CITY_APPROVER},
        _("Sign: not recommended"),
        applies=_city_does_not_recommend,
        guard=city_four_eyes,
    ),
    _t(
        "city_send_back",
        {S.CITY_PROPOSED},
        S.CITY_REVIEW,
        {R.CITY_APPROVER},
        _("Send back"),
        guard=city_four_eyes,
    ),
    _t("supplement", {S.RETURNED}, S.SUBMITTED, {R.APPLICANT}, _("Send the supplement")),
    _t("accept", {S.SUBMITTED}, S.ACCEPTED, {R.HANDLER}, _("Accept")),
    _t("return", {S.SUBMITTED, S.UNDER_REVIEW}, S.RETURNED, {R.HANDLER}, _("Return for supplement")),
    _t("refuse", {S.SUBMITTED}, S.REFUSED, {R.HANDLER}, _("Refuse to accept")),
    _t("review", {S.ACCEPTED}, S.UNDER_REVIEW, {R.HANDLER}, _("Start review"), applies=_monetary),
    _t("handle", {S.ACCEPTED}, S.HANDLED, {R.HANDLER}, _("Mark as handled"), applies=_not_monetary),
    _t("propose", {S.UNDER_REVIEW}, S.PROPOSED, {R.HANDLER}, _("Propose support")),
    _t("reject", {S.UNDER_REVIEW}, S.REJECTION_PROPOSED, {R.HANDLER}, _("Propose not to support")),
    _t("approve", {S.PROPOSED}, S.APPROVED, {R.APPROVER}, _("Approve"), guard=four_eyes),
    # 不予支持 is a decision like 支持: a second official signs it before the applicant is told.
    _t(
        "confirm_rejection",
        {S.REJECTION_PROPOSED},
        S.REJECTED,
        {R.APPROVER},
        _("Confirm: not supported"),
        guard=four_eyes,
    ),
    _t("send_back", {S.PROPOSED, S.REJECTION_PROPOSED}, S.UNDER_REVIEW, {R.APPROVER}, _("Send back"), guard=four_eyes),
    _t("confirm_offer", {S.OFFERED}, S.APPROVED, {R.APPLICANT}, _("Confirm the award")),
    _t("decline_offer", {S.OFFERED}, S.WITHDRAWN, {R.APPLICANT}, _("Decline the award")),
    _t("announce", {S.APPROVED}, S.ANNOUNCED, {R.HANDLER, R.APPROVER}, _("Announce publicly")),
    _t("uphold_objection", {S.ANNOUNCED}, S.WITHDRAWN, {R.APPROVER}, _("Uphold an objection")),
    _t("finalise", {S.ANNOUNCED}, S.FINAL, {R.SYSTEM, R.APPROVER}, _("Finalise")),
    _t("pay", {S.FINAL, S.PAYMENT_FAILED}, S.PAID, {R.FINANCE}, _("Record payment")),
    _t("payment_fail", {S.FINAL, S.PAYMENT_FAILED}, S.PAYMENT_FAILED, {R.FINANCE}, _("Record failed payment")),
    _t("lapse", {S.RETURNED, S.CITY_RETURNED}, S.LAPSED, {R.SYSTEM}, _("Lapse")),
    # A failed payment that will not be retried: the award ends, its budget commitment is released.
    _t("payment_cancel", {S.PAYMENT_FAILED}, S.PAYMENT_CANCELLED, {R.FINANCE}, _("Cancel the payment")),
    # 追回: an approver decides to recover money paid (again after an earlier recovery was refunded);
    # finance records the refunds, and the last one completes it (the recovery app's services).
    _t("recover", {S.PAID, S.RECOVERED}, S.RECOVERING, {R.APPROVER}, _("Recover money paid")),
    _t("recovered", {S.RECOVERING}, S.RECOVERED, {R.FINANCE}, _("Record the refund in full")),
)


def _roles_for(actor: Any, application: Application) -> set[str]:
    from .permissions import roles_for  # permissions reads the table's roles: imported when used

    return roles_for(actor, application)


def _on_enter(application: Application, target: str) -> None:
    if target not in TIMED_STATES:
        application.stage_due_on = None  # no official time limit runs in this state


WORKFLOW: Workflow[Application] = register(
    Workflow(
        name="application",
        model=Application,
        states=STATES,
        transitions=TRANSITIONS,
        roles_for=_roles_for,
        version_field="version",
        on_enter=_on_enter,
        on_leave=stage_leave,  # the timed stage left becomes a StageRecord
        select_related=("incentive", "call"),
        not_allowed_message=_("You may not take this action on this application."),
        wrong_state_message=_("“%(action)s” is not possible while the application is “%(status)s”."),
        changed_message=_("This application was changed by %(by)s since you opened it. Reload to see the change."),
    )
)
BY_ACTION = WORKFLOW.by_action
START_STATES = WORKFLOW.start_states  # a draft the applicant fills in, or an offer made from a list
END_STATES = WORKFLOW.end_states
NEXT_STEP_FOR_APPLICANT = {status: state.next_step for status, state in STATES.items()}


def allowed_actions(application: Application, actor: Any) -> list[Transition[Application]]:
    """What the actor may do now: the buttons pages show and the API's `allowed_actions`."""
    return WORKFLOW.allowed_actions(application, actor)


def transition(application: Application, action: str, **kwargs: Any) -> Application:
    """Moves the application by `action` (see portal.workflow.Workflow.transition)."""
    try:
        return WORKFLOW.transition(application, action, **kwargs)
    except ObjectChanged as changed:
        raise ApplicationChanged(str(changed)) from None
