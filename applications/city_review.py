"""The city bureau's first review (地市初审推荐), one function per action, as applications/review.py.

For a call whose review path is "city_first", a submitted application goes to the bureau of the
applicant's registered city (status city_review). Its handler returns it for supplement or proposes
to recommend it or not, with reasons (city_proposed); a second official of the bureau signs
(four-eyes): a recommended application then reaches the provincial queue as "submitted" (its
acceptance time limit starting then); one not recommended ends (city_not_recommended) and the
applicant is told why. The approver may instead send the proposal back to the handler.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from workdays.calendar import add_working_days

from .models import Application
from .review import _require, supplement_requested
from .services import ApplicationError, _notify_applicant_users
from .workflow import Role, transition


def city_return(
    *,
    actor: User,
    application: Application,
    missing: str,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> Application:
    """补正 asked by the city bureau: as the province's (working-day deadline, lapse when unanswered);
    the applicant's answer goes back to the city."""
    if not missing.strip():
        raise ApplicationError(_("Say what the applicant must supply."))
    _require(actor, application, Role.CITY_HANDLER)

    return transition(
        application,
        "city_return",
        actor=actor,
        expected_version=expected_version,
        changes=supplement_requested(missing),
        reason=missing,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s: documents or information needed") % {"reference": a.reference},
            _("The city bureau asks you to supply, by %(deadline)s: %(missing)s")
            % {"deadline": a.supplement_deadline, "missing": a.supplement_request},
        ),
    )


def city_propose(
    *,
    actor: User,
    application: Application,
    recommend: bool,
    reasons: str,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> Application:
    """The city handler's proposal, with reasons: to recommend the application to the province or
    not. Only a proposal: the applicant hears of it when the city approver signs it."""
    if not reasons.strip():
        raise ApplicationError(_("Give the reasons for the recommendation."))
    _require(actor, application, Role.CITY_HANDLER)

    def propose(locked: Application) -> dict[str, Any]:
        locked.city_recommended = recommend
        locked.city_reasons = reasons.strip()
        locked.city_proposed_by = actor
        return {"recommended": recommend, "reasons": locked.city_reasons}

    return transition(
        application,
        "recommend" if recommend else "not_recommend",
        actor=actor,
        expected_version=expected_version,
        changes=propose,
        reason=reasons,
        ip_address=ip_address,
        visible_to_applicant=False,
    )


def city_approve(
    *, actor: User, application: Application, expected_version: int | None = None, ip_address: str | None = None
) -> Application:
    """The city approver signs the proposal (never its proposer): recommended, it is forwarded to the
    provincial department; not recommended, it ends and the applicant is told the reasons."""
    _require(actor, application, Role.CITY_APPROVER)
    recommended = application.city_recommended is True

    def sign(locked: Application) -> dict[str, Any]:
        locked.city_decided_by = actor
        locked.city_decided_at = timezone.now()
        if locked.city_recommended:
            # The province's time limit for accepting starts when it receives the application.
            locked.stage_due_on = add_working_days(timezone.localdate(), locked.incentive.acceptance_days).day
        return {"recommended": locked.city_recommended, "reasons": locked.city_reasons}

    if recommended:
        return transition(
            application,
            "forward",
            actor=actor,
            expected_version=expected_version,
            changes=sign,
            ip_address=ip_address,
            notify=lambda a: _notify_applicant_users(
                a,
                _("Application %(reference)s recommended by the city bureau") % {"reference": a.reference},
                _("The city bureau recommended your application to the provincial department, which reviews it next.")
                + ("\n" + a.city_reasons if a.city_reasons else ""),
            ),
        )
    return transition(
        application,
        "confirm_not_recommended",
        actor=actor,
        expected_version=expected_version,
        changes=sign,
        reason=application.city_reasons,
        ip_address=ip_address,
        notify=lambda a: _notify_applicant_users(
            a,
            _("Application %(reference)s not recommended by the city bureau") % {"reference": a.reference},
            _("The city bureau does not recommend your application to the provincial department. Reasons: %(reasons)s")
            % {"reasons": a.city_reasons},
        ),
    )


def city_send_back(
    *,
    actor: User,
    application: Application,
    reason: str,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> Application:
    """The city approver sends the proposal back to the handler, with the reason."""
    if not reason.strip():
        raise ApplicationError(_("Say why the proposal goes back."))
    _require(actor, application, Role.CITY_APPROVER)

    def clear(locked: Application) -> dict[str, Any]:
        locked.city_recommended = None
        return {}

    return transition(
        application,
        "city_send_back",
        actor=actor,
        expected_version=expected_version,
        changes=clear,
        reason=reason,
        ip_address=ip_address,
        visible_to_applicant=False,
    )
