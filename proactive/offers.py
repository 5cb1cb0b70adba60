"""The enterprise confirms or declines a proactive award offer (免申即享).

proactive_offer_confirm(actor=, application=)     OFFERED → APPROVED ("confirm_offer"), commits the budget
proactive_offer_decline(actor=, application=)     OFFERED → WITHDRAWN ("decline_offer")
"""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import Applicant, BankAccount, User
from accounts.services import notification_send
from applications.models import Application
from applications.permissions import roles_for
from applications.workflow import Role, TransitionNotAllowed, transition
from awards.services import award_commit
from credit.screening import CreditListed, credit_screen
from measures.amounts import money

from .services import ProactiveError, _offer_link


def offer_bank_problem(applicant: Applicant, account: BankAccount | None) -> str | None:
    """Why the award cannot be paid to the applicant's account, in words; None when it can."""
    if account is None:
        return _("Add the bank account the award should be paid to before you confirm.")
    if account.account_name != applicant.name:
        return _("The bank account's name must be exactly the enterprise's name, “%(name)s”: change the account.") % {
            "name": applicant.name
        }
    return None


def _require_applicant(actor: User, application: Application) -> set[str]:
    roles = roles_for(actor, application)
    if Role.APPLICANT not in roles:
        raise TransitionNotAllowed(_("You may not take this action on this application."))
    return roles


def _notify_users(application: Application, subject: str, body: str) -> None:
    for user in User.objects.filter(applicant_id=application.applicant_id, is_active=True):
        notification_send(user=user, subject=subject, body=body, link=_offer_link(application))


def proactive_offer_confirm(*, actor: User, application: Application, ip_address: str | None = None) -> Application:
    """The enterprise accepts: its bank account is checked, the budget committed, the offer approved.

    Raises ProactiveError (no usable bank account; credit_listed: the enterprise is on a list of
    seriously dishonest entities), awards.services.BudgetError (the budget cannot
    take the amount: the message gives what is left) or TransitionNotAllowed; nothing changes then.
    """
    _require_applicant(actor, application)

    def commit(locked: Application) -> dict[str, Any]:
        if not locked.applicant.identity_verified:
            # Money goes to whoever holds the code: a squatter's registration must not collect it.
            raise ProactiveError(
                _(
                    "Your enterprise's identity is not verified yet: send its business licence on the enterprise "
                    "identity page, and confirm the award once an official has checked it."
                ),
                code="enterprise_unverified",
            )
        try:
            credit_screen(locked.applicant)  # 信用审查: listed since the offer was made
        except CreditListed as listed:
            raise ProactiveError(listed.message, code=listed.code) from None
        account = BankAccount.objects.filter(applicant_id=locked.applicant_id).first()
        problem = offer_bank_problem(locked.applicant, account)
        if problem or account is None:
            raise ProactiveError(problem or "", code="bank_account_required")
        if not locked.estimated_amount or locked.estimated_amount <= 0:
            raise ProactiveError(_("This offer has no amount: ask the department."), code="no_amount")
        award = award_commit(actor=actor, application=locked, amount=locked.estimated_amount)
        return {
            "amount": locked.estimated_amount,
            "award": award.pk,
            "bank_account": f"{account.bank_name} {account.account_number_masked}",
        }

    return transition(
        application,
        "confirm_offer",
        actor=actor,
        changes=commit,
        ip_address=ip_address,
        notify=lambda a: _notify_users(
            a,
            _("Award %(reference)s confirmed") % {"reference": a.reference},
            _("You confirmed the award of %(amount)s CNY. It will be publicly announced, then paid to your account.")
            % {"amount": money(a.estimated_amount or Decimal(0))},
        ),
    )


def proactive_offer_decline(
    *, actor: User, application: Application, reason: str = "", ip_address: str | None = None
) -> Application:
    _require_applicant(actor, application)
    return transition(
        application,
        "decline_offer",
        actor=actor,
        reason=(reason or "").strip()[:2000],
        ip_address=ip_address,
        notify=lambda a: _notify_users(
            a,
            _("Award %(reference)s declined") % {"reference": a.reference},
            _("The award offer %(reference)s was declined.") % {"reference": a.reference},
        ),
    )
