"""Writes of recovery (追回), one function per action, each in a transaction with its permission
check and audit record.

    recovery_decide(actor=, application=, amount=, reasons=, ban_years=)  -> Recovery   an approver
    refund_record(actor=, recovery=, amount=, received_on=, bank_reference=) -> Refund   finance
    applicant_ban_check(actor=, application=)   connected to applications.hooks.application_submitting

An approver of the responsible department decides to recover all or part of a paid award (no
four-eyes: the decider is the approver); the application becomes "recovering", the applicant gets
the recovery notice and a message. Finance records each refund from the bank (never more than is
outstanding); the one that completes it makes the application "recovered". Refunds go back to the
treasury: budgets show them as "recovered", and the allocation left to commit does not grow.

Lock order: award → application (in transition); recovery → application.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.permissions import is_finance
from accounts.services import notification_send
from applications.models import Application, Notice
from applications.notices import schedule_notice
from applications.services import ApplicationConflict
from applications.workflow import TransitionNotAllowed, transition
from audit.services import audit_record
from awards.models import Award
from measures.amounts import money
from portal.numbering import next_number
from portal.workflow import audit_event_of

from .models import MAX_BAN_YEARS, Recovery, Refund
from .selectors import active_ban, decided_before, paid_amount

FEN = Decimal("0.01")


class RecoveryError(Exception):
    """A rule refused the input (the API answers 400); `field` names the input at fault."""

    def __init__(self, message: str, *, field: str = "non_field_errors") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(RecoveryError):
    """The caller may not do this (403)."""


class WrongState(RecoveryError):
    """Not possible in the recovery's or the application's current state (409)."""


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def ban_end(decided_on: dt.date, years: int) -> dt.date | None:
    """The last day of an N-year ban from `decided_on` (None for no ban): N years on the day before."""
    return _years_later(decided_on, years) - dt.timedelta(days=1) if years else None


def _recovery_link(number: str) -> str:
    return reverse("recovery:detail", args=[number])


def _notify_applicant(application: Application, subject: str, body: str, link: str) -> None:
    for user in User.objects.filter(applicant_id=application.applicant_id, is_active=True):
        notification_send(user=user, subject=subject, body=body, link=link)


def recovery_decide(
    *,
    actor: User,
    application: Application,
    amount: Decimal | None,
    reasons: str,
    ban_years: int = 0,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> Recovery:
    """An approver of the responsible department decides to recover `amount` of the paid award
    (more than 0, at most what was paid less what earlier recoveries took back), with the reasons,
    optionally barring the applicant from applying for `ban_years` (0–5)."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise RecoveryError(_("Give the reasons for recovering the money."), field="reasons")
    if amount is None or amount <= 0:
        raise RecoveryError(_("Enter the amount to recover: more than 0."), field="amount")
    amount = amount.quantize(FEN)
    if not 0 <= ban_years <= MAX_BAN_YEARS:
        raise RecoveryError(
            _("A ban from applying lasts 0 to %(max)s years.") % {"max": MAX_BAN_YEARS}, field="ban_years"
        )
    facts: dict[str, Any] = {}
    with transaction.atomic():
        award = Award.objects.select_for_update().filter(application_id=application.pk).first()

        def decide(locked: Application) -> dict[str, Any]:
            if award is None or award.status != Award.Status.PAID:
                raise WrongState(_("Only a paid award can be recovered."))
            paid, before = paid_amount(award), decided_before(award)
            if amount > paid - before:
                raise RecoveryError(
                    _(
                        "At most %(most)s CNY can be recovered: %(paid)s CNY was paid and %(before)s CNY "
                        "recovered before."
                    )
                    % {"most": money(paid - before), "paid": money(paid), "before": money(before)},
                    field="amount",
                )
            today = timezone.localdate()
            until = ban_end(today, ban_years)
            facts.update(
                recovery=f"ZH-{today.year}-{next_number(f'recovery:{today.year}'):04d}",
                amount=amount,
                paid=paid,
                recovered_before=before,
                ban_years=ban_years,
                banned_until=until.isoformat() if until else None,
            )
            return dict(facts)

        recovering = transition(
            application,
            "recover",
            actor=actor,
            expected_version=expected_version,
            changes=decide,
            reason=reasons,
            ip_address=ip_address,
            notify=lambda a: _notify_applicant(
                a,
                _("Recovery of money paid for %(reference)s") % {"reference": a.reference},
                _(
                    "The department decided to recover %(amount)s CNY paid for %(reference)s (decision "
                    "%(number)s). The recovery notice gives the reasons and how to refund."
                )
                % {"amount": money(amount), "reference": a.reference, "number": facts["recovery"]},
                _recovery_link(facts["recovery"]),
            ),
        )
        assert award is not None  # decide() refused otherwise
        event = audit_event_of(recovering)
        recovery = Recovery.objects.create(
            number=facts["recovery"],
            application=recovering,
            award=award,
            amount=amount,
            reasons=reasons,
            ban_years=ban_years,
            banned_until=dt.date.fromisoformat(facts["banned_until"]) if facts["banned_until"] else None,
            decided_by=actor,
            decided_at=event.at,
            event_sequence=event.sequence,
        )
        # The recovery notice (追回资金决定通知书): an outbox row in this transaction, issued after commit.
        schedule_notice(recovering, Notice.Kind.RECOVERY)
    return recovery


def require_finance(actor: Any) -> None:
    """Refunds are finance's to record: NotAllowed for anyone else."""
    if not is_finance(actor):
        raise NotAllowed(_("Only finance officers record refunds."))


def refund_problems(
    recovery: Recovery, *, amount: Decimal | None, received_on: dt.date | None, bank_reference: str
) -> dict[str, list[str]]:
    """The rules on a refund, by field: the page's form shows them, `refund_record` enforces them."""
    problems: dict[str, list[str]] = {}
    outstanding = recovery.amount - recovery.refunded
    if amount is None or amount <= 0:
        problems["amount"] = [_("Enter the amount refunded: more than 0.")]
    elif amount > outstanding:
        problems["amount"] = [
            _("At most %(outstanding)s CNY remains to be refunded on %(number)s.")
            % {"outstanding": money(outstanding), "number": recovery.number}
        ]
    if received_on is None:
        problems["received_on"] = [_("Enter the date the refund reached the account (YYYY-MM-DD).")]
    elif received_on > timezone.localdate():
        problems["received_on"] = [_("The date %(day)s is in the future.") % {"day": received_on.isoformat()}]
    elif received_on < timezone.localtime(recovery.decided_at).date():
        problems["received_on"] = [_("The refund cannot be received before the recovery was decided.")]
    if not bank_reference:
        problems["bank_reference"] = [_("Enter the bank's reference for the refund.")]
    elif len(bank_reference) > 60:
        problems["bank_reference"] = [_("Enter at most %(max)s characters.") % {"max": 60}]
    return problems


def refund_record(
    *,
    actor: User,
    recovery: Recovery,
    amount: Decimal | None,
    received_on: dt.date | None,
    bank_reference: str,
    ip_address: str | None = None,
) -> Refund:
    """Finance records a refund (date, bank reference, amount); partial refunds add up, never above
    the amount to recover. The refund that completes it makes the application "recovered"."""
    require_finance(actor)
    bank_reference = (bank_reference or "").strip()
    try:
        with transaction.atomic():
            return _refund(actor, recovery, amount, received_on, bank_reference, ip_address)
    except IntegrityError:  # the same transfer recorded by a concurrent request
        raise RecoveryError(
            _("The refund %(reference)s is already recorded.") % {"reference": bank_reference},
            field="bank_reference",
        ) from None


def _refund(
    actor: User,
    recovery: Recovery,
    amount: Decimal | None,
    received_on: dt.date | None,
    bank_reference: str,
    ip_address: str | None,
) -> Refund:
    locked = Recovery.objects.select_for_update().get(pk=recovery.pk)
    if locked.is_complete:
        raise WrongState(_("Recovery %(number)s is refunded in full.") % {"number": locked.number})
    problems = refund_problems(locked, amount=amount, received_on=received_on, bank_reference=bank_reference)
    if Refund.objects.filter(recovery=locked, bank_reference=bank_reference).exists():
        problems.setdefault(
            "bank_reference", [_("The refund %(reference)s is already recorded.") % {"reference": bank_reference}]
        )
    if problems:
        field, messages = next(iter(problems.items()))
        raise RecoveryError(messages[0], field=field)
    assert amount is not None and received_on is not None  # refund_problems refused otherwise
    amount = amount.quantize(FEN)
    refund = Refund.objects.create(
        recovery=locked, amount=amount, received_on=received_on, bank_reference=bank_reference, recorded_by=actor
    )
    before = locked.refunded
    locked.refunded += amount
    locked.save(update_fields=["refunded"])
    audit_record(
        actor=actor,
        action="recovery.refund",
        obj=locked,
        before={"refunded": before},
        after={
            "refunded": locked.refunded,
            "amount": amount,
            "received_on": received_on,
            "bank_reference": bank_reference,
            "application": locked.application.reference,
        },
        ip_address=ip_address,
        visible_to_applicant=True,
    )
    if locked.is_complete:
        locked.completed_at = timezone.now()
        locked.save(update_fields=["completed_at"])
        number, total = locked.number, locked.refunded
        try:
            transition(
                locked.application,
                "recovered",
                actor=actor,
                ip_address=ip_address,
                changes=lambda _application: {"recovery": number, "refunded": total},
                notify=lambda a: _notify_applicant(
                    a,
                    _("Refund for %(reference)s received in full") % {"reference": a.reference},
                    _("The %(amount)s CNY to be recovered under decision %(number)s have been refunded in full.")
                    % {"amount": money(total), "number": number},
                    _recovery_link(number),
                ),
            )
        except TransitionNotAllowed as refused:
            raise WrongState(str(refused)) from None
    return refund


def applicant_ban_check(*, actor: Any, application: Application, **_: Any) -> None:
    """Connected to `applications.hooks.application_submitting`: an applicant a recovery decision
    barred from applying may not submit until the ban's last day has passed (409 applicant_banned)."""
    ban = active_ban(application.applicant_id, timezone.localdate())
    if ban is None:
        return
    assert ban.banned_until is not None  # active_ban finds bans only
    raise ApplicationConflict(
        ngettext(
            "You may not apply until %(until)s (inclusive): the recovery decision %(number)s on application "
            "%(reference)s barred the applicant from applying for %(years)s year.",
            "You may not apply until %(until)s (inclusive): the recovery decision %(number)s on application "
            "%(reference)s barred the applicant from applying for %(years)s years.",
            ban.ban_years,
        )
        % {
            "until": ban.banned_until.isoformat(),
            "number": ban.number,
            "reference": ban.application.reference,
            "years": ban.ban_years,
        },
        code="applicant_banned",
    )
