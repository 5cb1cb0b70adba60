"""Officials' actions on applications (受理, 补正, 不予受理, 审核, 拟支持/不予支持, 审批), one function each.

Each checks the caller's roles on the application (applications.permissions), moves it through
workflow.transition (row lock, audit event, notifications) and schedules the notice the applicant
must receive (an outbox row in the same transaction, made by Celery after commit). Four-eyes:
the approver is never the proposer.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OfficialRole, User
from accounts.services import notification_send
from audit.services import audit_record
from measures.amounts import compute_amount, money
from measures.ceilings import Ceiling, policy_ceiling
from workdays.calendar import add_working_days

from . import form_definitions
from .claim_keys import claim_keys_fund
from .hooks import application_approving
from .models import Application, Notice, ReviewComment, Status
from .notices import schedule_notice
from .permissions import roles_for
from .services import ApplicationError, _notify_applicant_users, refuse_if_listed
from .states import RETURNED_STATUSES
from .workflow import TIMED_STATES, Role, TransitionNotAllowed, transition


def _require(actor: User, application: Application, role: str) -> set[str]:
    roles = roles_for(actor, application)
    if role not in roles:
        raise TransitionNotAllowed(_("You may not take this action on this application."))
    return roles


def _schedule_notice(application: Application, kind: str) -> None:
    """The notice is made by Celery after commit: an outbox row written in the decision's transaction."""
    schedule_notice(application, kind)


def _today() -> dt.date:
    return timezone.localdate()


def supplement_requested(missing: str) -> Callable[[Application], dict[str, Any]]:
    """The changes of a 补正 request, the province's or the city bureau's: what is missing and a
    deadline in working days (the stage's due date too); the audit's extras."""

    def changes(locked: Application) -> dict[str, Any]:
        deadline = add_working_days(_today(), locked.incentive.supplement_days)
        locked.supplement_request = missing.strip()
        locked.supplement_deadline = deadline.day
        locked.stage_due_on = deadline.day
        return {
            "supplement_request": locked.supplement_request,
            "supplement_deadline": deadline.day,
            "deadline_provisional": deadline.provisional,
        }

    return changes


def application_accept(
    *, actor: User, application: Application, expected_version: int | None = None, ip_address: str | None = None
) -> Application:
    _require(actor, application, Role.HANDLER)

    def changes(locked: Application) -> dict[str, Any]:
        locked.stage_due_on = add_working_days(_today(), locked.incentive.review_days).day
        locked.assigned_to = locked.assigned_to or actor
        return {"stage_due_on": locked.stage_due_on}

    accepted = transition(
        application,
        "accept",
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s accepted") % {"reference": a.reference},
            _("The department accepted your application %(reference)s. The acceptance notice is on its page.")
            % {"reference": a.reference},
        ),
    )
    _schedule_notice(accepted, Notice.Kind.ACCEPTANCE)
    return accepted


def application_return(
    *,
    actor: User,
    application: Application,
    missing: str,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> Application:
    """补正: the missing items and a deadline in working days; the applicant answers or it lapses."""
    if not missing.strip():
        raise ApplicationError(_("Say what the applicant must supply."))
    _require(actor, application, Role.HANDLER)

    returned = transition(
        application,
        "return",
        actor=actor,
        expected_version=expected_version,
        changes=supplement_requested(missing),
        reason=missing,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s: documents or information needed") % {"reference": a.reference},
            _("The department asks you to supply, by %(deadline)s: %(missing)s")
            % {"deadline": a.supplement_deadline, "missing": a.supplement_request},
        ),
    )
    _schedule_notice(returned, Notice.Kind.SUPPLEMENT)
    return returned


def application_refuse(
    *,
    actor: User,
    application: Application,
    reasons: str,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> Application:
    """不予受理: with reasons, which the notice gives with the applicant's rights."""
    if not reasons.strip():
        raise ApplicationError(_("Give the reasons for refusing to accept."))
    _require(actor, application, Role.HANDLER)

    def changes(locked: Application) -> dict[str, Any]:
        locked.decision_reasons = reasons.strip()
        locked.stage_due_on = None
        return {"reasons": locked.decision_reasons}

    refused = transition(
        application,
        "refuse",
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        reason=reasons,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a, _("Application %(reference)s not accepted") % {"reference": a.reference}, a.decision_reasons
        ),
    )
    _schedule_notice(refused, Notice.Kind.REFUSAL)
    return refused


def application_start_review(
    *, actor: User, application: Application, expected_version: int | None = None, ip_address: str | None = None
) -> Application:
    _require(actor, application, Role.HANDLER)
    return transition(application, "review", actor=actor, expected_version=expected_version, ip_address=ip_address)


def application_handle(
    *,
    actor: User,
    application: Application,
    note: str = "",
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> Application:
    """Non-monetary incentives (services, recognitions) end here once the department has acted."""
    _require(actor, application, Role.HANDLER)
    return transition(
        application,
        "handle",
        actor=actor,
        expected_version=expected_version,
        reason=note,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a, _("Application %(reference)s handled") % {"reference": a.reference}, note or a.get_status_display()
        ),
    )


def engine_amount(
    application: Application, on: dt.date | None = None
) -> tuple[Decimal | None, Decimal | None, list[str]]:
    """The amount engine's amount, cap and trace for this application's answers."""
    claim = form_definitions.claim_from_answers(application.incentive, application.data)
    result = compute_amount(application.incentive, on=on or _today(), claim=claim)
    return result.amount, result.cap, result.trace()


class AboveCeiling(ApplicationError):
    """The amount is above the claim's policy ceiling, or no ceiling exists yet (API: 400)."""

    code = "above_ceiling"


def claim_ceiling(application: Application, on: dt.date | None = None) -> Ceiling:
    """The policy ceiling of the application's claim (measures/ceilings.py), for its fiscal year."""
    claim = form_definitions.claim_from_answers(application.incentive, application.data)
    return policy_ceiling(application.incentive, on=on or _today(), claim=claim, fiscal_year=application.fiscal_year)


def require_within_ceiling(amount: Decimal, ceiling: Ceiling, *, fiscal_year: int) -> Decimal:
    """Refuses an amount above the policy ceiling, whatever reason an official gives; returns the ceiling."""
    if ceiling.amount is None:
        raise AboveCeiling(
            _(
                "The policy names no amount for this incentive and the department has set no ceiling for "
                "%(year)s: the ceiling must be set before an amount is proposed or approved."
            )
            % {"year": fiscal_year}
        )
    if amount > ceiling.amount:
        raise AboveCeiling(
            _(
                "%(amount)s CNY is above the policy ceiling of %(ceiling)s CNY for this claim "
                "(%(how)s). No reason can override the policy's ceiling."
            )
            % {"amount": money(amount), "ceiling": money(ceiling.amount), "how": " ".join(ceiling.trace())}
        )
    return ceiling.amount


def decided_by_meeting(application: Application) -> bool:
    """The application's call has an expert review: its collective decision meeting (集体审议, the
    decisions app) proposes support or not, never an official alone."""
    call = application.call
    return call is not None and call.expert_review


def meeting_decides_message() -> str:
    return _(
        "This call has an expert review: support or not is decided by the collective decision meeting "
        "(集体审议), not by a proposal on the application."
    )


def application_propose(
    *,
    actor: User,
    application: Application,
    support: bool,
    reasons: str,
    amount: Decimal | None = None,
    override_reason: str = "",
    expected_version: int | None = None,
    ip_address: str | None = None,
    by_meeting: bool = False,
) -> Application:
    """拟支持 with an amount (the engine's by default; another one within the cap, with a reason),
    or 不予支持 with reasons. For a call with expert review, only the collective decision meeting
    proposes (the decisions app calls this with `by_meeting=True`)."""
    _require(actor, application, Role.HANDLER)
    if not by_meeting and decided_by_meeting(application):
        raise TransitionNotAllowed(meeting_decides_message())
    if not support:
        if not reasons.strip():
            raise ApplicationError(_("Give the reasons for not supporting the application."))

        def reject(locked: Application) -> dict[str, Any]:
            locked.decision_reasons = reasons.strip()
            locked.proposed_by = actor
            return {"decision": "not_supported", "reasons": locked.decision_reasons}

        # Only a proposal: the applicant hears of it when an approver confirms it.
        return transition(
            application,
            "reject",
            actor=actor,
            expected_version=expected_version,
            changes=reject,
            reason=reasons,
            ip_address=ip_address,
            visible_to_applicant=False,
        )

    engine, cap, trace = engine_amount(application)
    if amount is None:
        amount = engine
    if amount is None:
        raise ApplicationError(_("The amount engine has no figure for this claim: enter the amount and the reason."))
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount <= 0:
        raise ApplicationError(_("The amount must be more than zero."))
    if cap is not None and amount > cap:
        raise ApplicationError(_("The amount may not exceed the cap of %(cap)s CNY.") % {"cap": f"{cap:,.2f}"})
    require_within_ceiling(amount, claim_ceiling(application), fiscal_year=application.fiscal_year)
    if amount != engine and not override_reason.strip():
        raise ApplicationError(
            _("The amount differs from the computed %(engine)s CNY: give the reason for the change.")
            % {"engine": f"{engine:,.2f}" if engine is not None else "—"}
        )

    def propose(locked: Application) -> dict[str, Any]:
        locked.proposed_amount = amount
        locked.amount_override_reason = override_reason.strip() if amount != engine else ""
        locked.decision_reasons = reasons.strip()
        locked.proposed_by = actor
        return {
            "proposed_amount": amount,
            "engine_amount": engine,
            "override_reason": locked.amount_override_reason,
            "trace": trace,
        }

    return transition(
        application,
        "propose",
        actor=actor,
        expected_version=expected_version,
        changes=propose,
        reason=reasons,
        ip_address=ip_address,
        visible_to_applicant=False,
    )


class BudgetRefused(ApplicationError):
    """The approval would exceed the incentive's budget (or none is set): nothing changed.
    `remaining` is what is left (None when no budget is set); the message says it."""

    def __init__(self, message: str, *, remaining: Decimal | None) -> None:
        super().__init__(message)
        self.remaining = remaining
        self.code = "budget_exceeded" if remaining is not None else "budget_not_set"


def application_approve(
    *, actor: User, application: Application, expected_version: int | None = None, ip_address: str | None = None
) -> Application:
    _require(actor, application, Role.APPROVER)

    def approve(locked: Application) -> dict[str, Any]:
        refuse_if_listed(locked)  # 信用审查: a listed enterprise is not approved
        locked.decided_by = actor
        locked.stage_due_on = None
        claim_keys_fund(locked)  # once only: refused when an item of the claim was funded already
        # The awards app commits the amount against the budget here: refused, nothing changes.
        application_approving.send(actor=actor, application=locked)
        return {"approved_amount": locked.proposed_amount}

    approved = transition(
        application,
        "approve",
        actor=actor,
        expected_version=expected_version,
        changes=approve,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s supported") % {"reference": a.reference},
            _("Your application is supported with %(amount)s CNY, subject to public announcement.")
            % {"amount": f"{a.proposed_amount:,.2f}"},
        ),
    )
    _schedule_notice(approved, Notice.Kind.DECISION_SUPPORT)
    return approved


def application_confirm_rejection(
    *, actor: User, application: Application, expected_version: int | None = None, ip_address: str | None = None
) -> Application:
    """不予支持, signed by a second official: the applicant is told, with the decision notice."""
    _require(actor, application, Role.APPROVER)

    def decide(locked: Application) -> dict[str, Any]:
        locked.decided_by = actor
        return {"decision": "not_supported", "reasons": locked.decision_reasons}

    rejected = transition(
        application,
        "confirm_rejection",
        actor=actor,
        expected_version=expected_version,
        changes=decide,
        reason=application.decision_reasons,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s not supported") % {"reference": a.reference},
            _("Your application is not supported. The decision notice gives the reasons and your rights."),
        ),
    )
    _schedule_notice(rejected, Notice.Kind.DECISION_REJECT)
    return rejected


def application_send_back(
    *,
    actor: User,
    application: Application,
    reason: str,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> Application:
    if not reason.strip():
        raise ApplicationError(_("Say why the proposal goes back."))
    _require(actor, application, Role.APPROVER)
    return transition(
        application,
        "send_back",
        actor=actor,
        expected_version=expected_version,
        reason=reason,
        ip_address=ip_address,
        visible_to_applicant=False,
    )


def application_assign(*, actor: User, application: Application, handler: User) -> Application:
    """Claim (handler = actor) or assign to a handler of the same department."""
    _require(actor, application, Role.HANDLER)
    if application.status not in TIMED_STATES:
        raise TransitionNotAllowed(_("Only open applications can be assigned."))
    if handler.official_role != OfficialRole.HANDLER or handler.department_id != actor.department_id:
        raise ApplicationError(_("Assign only to a handler of your department."))
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = {"assigned_to": locked.assigned_to_id}
        locked.assigned_to = handler
        locked.save(update_fields=["assigned_to", "updated_at"])
        audit_record(
            actor=actor,
            action="application.assign",
            obj=locked,
            before=before,
            after={"assigned_to": handler.pk},
            visible_to_applicant=False,
        )
    return locked


def comment_add(*, actor: User, application: Application, text: str) -> ReviewComment:
    if not roles_for(actor, application) & {Role.HANDLER, Role.APPROVER}:
        raise TransitionNotAllowed(_("You may not comment on this application."))
    if not text.strip():
        raise ApplicationError(_("The comment is empty."))
    with transaction.atomic():
        comment = ReviewComment.objects.create(application=application, author=actor, text=text.strip())
        audit_record(
            actor=actor,
            action="application.comment",
            obj=application,
            after={"comment": comment.text},
            visible_to_applicant=False,
        )
    return comment


def checklist_set(*, actor: User, application: Application, ticked: dict[str, bool]) -> Application:
    _require(actor, application, Role.HANDLER)
    items = {str(i) for i in range(len(application.incentive.review_checklist))}
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        before = dict(locked.checklist)
        locked.checklist = {k: bool(v) for k, v in ticked.items() if k in items}
        locked.save(update_fields=["checklist", "updated_at"])
        audit_record(
            actor=actor,
            action="application.checklist",
            obj=locked,
            before=before,
            after=locked.checklist,
            visible_to_applicant=False,
        )
    return locked


def applications_accept_many(*, actor: User, applications: list[Application]) -> dict[str, str]:
    """Accepts several complete applications at once; each one on its own (one failure stops none)."""
    results: dict[str, str] = {}
    for application in applications:
        try:
            application_accept(actor=actor, application=application)
            results[application.reference or str(application.pk)] = "accepted"
        except (TransitionNotAllowed, ApplicationError) as error:
            results[application.reference or str(application.pk)] = str(error)
    return results


def document_viewed(
    *, actor: User, application: Application, document_id: int, ip_address: str | None = None, kind: str = "document"
) -> None:
    """Officials' views of applicants' documents (and notices: kind="notice") are on the record."""
    if actor.applicant_id:
        return
    audit_record(
        actor=actor,
        action="document.view",
        obj=application,
        after={kind: document_id},
        ip_address=ip_address,
        visible_to_applicant=False,
    )


def personal_data_shown(*, actor: User, application: Application, what: str, ip_address: str | None = None) -> None:
    """Every display of an unmasked resident ID or bank account number is recorded."""
    audit_record(
        actor=actor,
        action="personal_data.view",
        obj=application,
        after={"field": what},
        ip_address=ip_address,
        visible_to_applicant=False,
    )


# ---- Celery beat -----------------------------------------------------------------------------


def applications_lapse_overdue(today: dt.date | None = None) -> int:
    """Returned applications whose supplement deadline has passed lapse (系统), each with a notice."""
    today = today or _today()
    lapsed = 0
    for application in Application.objects.filter(status__in=RETURNED_STATUSES, supplement_deadline__lt=today):
        try:
            done = transition(
                application,
                "lapse",
                actor=None,
                reason=_("The supplement deadline %(deadline)s passed.")
                % {"deadline": application.supplement_deadline},
                notify=lambda a: _notify_applicant_users(
                    a,
                    _("Application %(reference)s lapsed") % {"reference": a.reference},
                    _("The supplement deadline passed, so the application lapsed."),
                ),
            )
        except TransitionNotAllowed:
            continue  # answered meanwhile
        _schedule_notice(done, Notice.Kind.LAPSE)
        lapsed += 1
    return lapsed


def handler_digests_send(today: dt.date | None = None) -> int:
    """One message per handler: their own open and overdue items, and what in their department
    nobody has claimed yet (so a new submission is in somebody's digest from the first day)."""
    today = today or _today()
    open_states = [Status.SUBMITTED, Status.ACCEPTED, Status.UNDER_REVIEW, Status.RETURNED]
    unclaimed = dict(
        Application.objects.filter(status=Status.SUBMITTED, assigned_to__isnull=True)
        .values_list("incentive__handling_department")
        .annotate(n=Count("pk"))
    )
    handlers = User.objects.filter(official_role=OfficialRole.HANDLER, is_active=True).annotate(
        open_count=Count("assigned_applications", filter=Q(assigned_applications__status__in=open_states)),
        overdue_count=Count(
            "assigned_applications",
            filter=Q(assigned_applications__status__in=open_states, assigned_applications__stage_due_on__lt=today),
        ),
    )
    sent = 0
    for handler in handlers:
        waiting = unclaimed.get(handler.department_id, 0)
        if not (handler.open_count or waiting):
            continue
        notification_send(
            user=handler,
            subject=_("Your review queue on %(day)s") % {"day": today.isoformat()},
            body=_(
                "%(open)s open applications, %(overdue)s overdue; "
                "%(waiting)s submitted in your department and not yet claimed."
            )
            % {"open": handler.open_count, "overdue": handler.overdue_count, "waiting": waiting},
            link="/review/",
        )
        sent += 1
    return sent


def supplement_reminders_send(today: dt.date | None = None) -> int:
    today = today or _today()
    soon = add_working_days(today, 2).day
    sent = 0
    for application in Application.objects.filter(status__in=RETURNED_STATUSES, supplement_deadline=soon):
        _notify_applicant_users(
            application,
            _("Reminder: supplement for %(reference)s due %(deadline)s")
            % {"reference": application.reference, "deadline": application.supplement_deadline},
            application.supplement_request,
        )
        sent += 1
    return sent
