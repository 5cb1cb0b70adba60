"""Every move an application can make, in one table, and the one function that makes it.

A transition names its action, the states it leaves from, the state it reaches and who may take
it. `transition()` locks the row, checks the table (and the version the caller saw), saves,
records the audit event and schedules notifications after commit. Nothing else assigns
`Application.status`; the buttons a page shows come from `allowed_actions()`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from audit.services import audit_record

from .models import Application, Status


class Role:
    APPLICANT = "applicant"
    HANDLER = "handler"  # 经办人
    APPROVER = "approver"  # 审核人
    FINANCE = "finance"
    SYSTEM = "system"  # Celery beat: lapses, finalisation


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: Any  # lazy, for buttons and timelines
    # Money-paying incentives take the full path; services and recognitions a shorter one.
    monetary: bool | None = None


def _t(
    action: str, sources: set[str], target: str, roles: set[str], label: Any, monetary: bool | None = None
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), label, monetary)


S = Status
OPEN_BEFORE_DECISION = {S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.UNDER_REVIEW}

TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", {S.DRAFT}, S.SUBMITTED, {Role.APPLICANT}, gettext_lazy("Submit")),
    _t("withdraw", OPEN_BEFORE_DECISION | {S.PROPOSED}, S.WITHDRAWN, {Role.APPLICANT}, gettext_lazy("Withdraw")),
    _t("supplement", {S.RETURNED}, S.SUBMITTED, {Role.APPLICANT}, gettext_lazy("Send the supplement")),
    _t("accept", {S.SUBMITTED}, S.ACCEPTED, {Role.HANDLER}, gettext_lazy("Accept")),
    _t("return", {S.SUBMITTED, S.UNDER_REVIEW}, S.RETURNED, {Role.HANDLER}, gettext_lazy("Return for supplement")),
    _t("refuse", {S.SUBMITTED}, S.REFUSED, {Role.HANDLER}, gettext_lazy("Refuse to accept")),
    _t("review", {S.ACCEPTED}, S.UNDER_REVIEW, {Role.HANDLER}, gettext_lazy("Start review"), monetary=True),
    _t("handle", {S.ACCEPTED}, S.HANDLED, {Role.HANDLER}, gettext_lazy("Mark as handled"), monetary=False),
    _t("propose", {S.UNDER_REVIEW}, S.PROPOSED, {Role.HANDLER}, gettext_lazy("Propose support")),
    _t("reject", {S.UNDER_REVIEW}, S.REJECTED, {Role.HANDLER}, gettext_lazy("Propose not to support")),
    _t("approve", {S.PROPOSED}, S.APPROVED, {Role.APPROVER}, gettext_lazy("Approve")),
    _t("send_back", {S.PROPOSED}, S.UNDER_REVIEW, {Role.APPROVER}, gettext_lazy("Send back")),
    _t("confirm_offer", {S.OFFERED}, S.APPROVED, {Role.APPLICANT}, gettext_lazy("Confirm the award")),
    _t("decline_offer", {S.OFFERED}, S.WITHDRAWN, {Role.APPLICANT}, gettext_lazy("Decline the award")),
    _t("announce", {S.APPROVED}, S.ANNOUNCED, {Role.HANDLER, Role.APPROVER}, gettext_lazy("Announce publicly")),
    _t("uphold_objection", {S.ANNOUNCED}, S.WITHDRAWN, {Role.APPROVER}, gettext_lazy("Uphold an objection")),
    _t("finalise", {S.ANNOUNCED}, S.FINAL, {Role.SYSTEM, Role.APPROVER}, gettext_lazy("Finalise")),
    _t("pay", {S.FINAL, S.PAYMENT_FAILED}, S.PAID, {Role.FINANCE}, gettext_lazy("Record payment")),
    _t(
        "payment_fail",
        {S.FINAL, S.PAYMENT_FAILED},
        S.PAYMENT_FAILED,
        {Role.FINANCE},
        gettext_lazy("Record failed payment"),
    ),
    _t("lapse", {S.RETURNED}, S.LAPSED, {Role.SYSTEM}, gettext_lazy("Lapse")),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}
# States in which the department (or the applicant, for a supplement) works against a time limit.
TIMED_STATES = frozenset({S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.UNDER_REVIEW, S.PROPOSED})
# Where an application's life begins: a draft the applicant fills in, or an offer made from a list.
START_STATES = frozenset({S.DRAFT, S.OFFERED})
END_STATES = frozenset({S.REFUSED, S.REJECTED, S.HANDLED, S.PAID, S.WITHDRAWN, S.LAPSED})


class TransitionNotAllowed(Exception):
    """The action is not allowed now (the API answers 409); the message says why."""


class ApplicationChanged(TransitionNotAllowed):
    """Someone else changed the application since the caller read it."""


def allowed_actions(application: Application, roles: set[str]) -> list[Transition]:
    monetary = application.incentive.pays_money
    return [
        t
        for t in TRANSITIONS
        if application.status in t.sources and t.roles & roles and (t.monetary is None or t.monetary == monetary)
    ]


def transition(
    application: Application,
    action: str,
    *,
    actor: Any,
    roles: set[str],
    expected_version: int | None = None,
    changes: Callable[[Application], dict[str, Any]] | None = None,
    reason: str = "",
    ip_address: str | None = None,
    visible_to_applicant: bool = True,
    on_commit: Callable[[Application], None] | None = None,
) -> Application:
    """Moves the application by `action`, or raises TransitionNotAllowed and changes nothing.

    `changes` runs on the locked row after the checks and returns the audit's "after" extras.
    """
    rule = BY_ACTION[action]
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("incentive").get(pk=application.pk)
        if expected_version is not None and locked.version != expected_version:
            last = (
                AuditEvent.objects.filter(object_type=locked._meta.label_lower, object_id=str(locked.pk))
                .order_by("-sequence")
                .first()
            )
            by = last.actor_label if last else _("someone else")
            raise ApplicationChanged(
                _("This application was changed by %(by)s since you opened it. Reload to see the change.") % {"by": by}
            )
        if not rule.roles & roles:
            raise TransitionNotAllowed(_("You may not take this action on this application."))
        if locked.status not in rule.sources or (
            rule.monetary is not None and rule.monetary != locked.incentive.pays_money
        ):
            raise TransitionNotAllowed(
                _("“%(action)s” is not possible while the application is “%(status)s”.")
                % {"action": rule.label, "status": locked.get_status_display()}
            )
        before = {"status": locked.status}
        extras = changes(locked) if changes else {}
        if rule.target not in TIMED_STATES:
            locked.stage_due_on = None  # no official time limit runs in this state
        locked.status = rule.target
        locked.version += 1
        locked.save()
        locked.audit_event = audit_record(
            actor=actor,
            action=f"application.{action}",
            obj=locked,
            before=before,
            after={"status": locked.status, **extras},
            reason=reason,
            ip_address=ip_address,
            visible_to_applicant=visible_to_applicant,
        )
        if on_commit is not None:
            transaction.on_commit(lambda: on_commit(locked))
    return locked


# What the applicant should expect or do next, per state (the applicant-facing side of the table).
NEXT_STEP_FOR_APPLICANT = {
    S.DRAFT: gettext_lazy("Complete the sections and documents, then submit."),
    S.OFFERED: gettext_lazy("An award is offered to you: confirm your bank account to accept it."),
    S.SUBMITTED: gettext_lazy("The department checks that the application is complete."),
    S.ACCEPTED: gettext_lazy("Accepted: the department will review it."),
    S.RETURNED: gettext_lazy("Answer the supplement request before its deadline."),
    S.REFUSED: gettext_lazy("Not accepted: see the notice for the reasons and your rights."),
    S.UNDER_REVIEW: gettext_lazy("Under review by the department."),
    S.PROPOSED: gettext_lazy("Proposed for support: awaiting a second official's approval."),
    S.REJECTED: gettext_lazy("Not supported: see the decision notice for the reasons and your rights."),
    S.APPROVED: gettext_lazy("Approved: it will be publicly announced."),
    S.ANNOUNCED: gettext_lazy("Publicly announced: final when the announcement period ends without objection."),
    S.FINAL: gettext_lazy("Final: awaiting disbursement."),
    S.HANDLED: gettext_lazy("Handled: nothing more to do."),
    S.PAID: gettext_lazy("Paid."),
    S.PAYMENT_FAILED: gettext_lazy("The payment failed: check your bank account details."),
    S.WITHDRAWN: gettext_lazy("Withdrawn."),
    S.LAPSED: gettext_lazy("Lapsed: the supplement deadline passed."),
}
