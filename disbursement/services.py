"""Disbursement (拨付): batches of final awards and the payment file for the bank (the bank's
results are recorded by disbursement/results.py).

    batch_build(actor=, department=, incentive=)      -> BuildResult   a finance officer
    batch_approve(actor=, batch=)                     -> batch         another finance officer (four-eyes)
    payment_file_open(actor=, batch=, file_format=)   -> rows          audited; CSV streamed, XLSX write-only
    payment_cancel(actor=, payment=, reason=)         -> payment       a failed payment not to be retried

A failed payment is retried by building a new batch: its award (still final, its application
"payment failed") waits in the next batch like any final award. Or finance cancels it: the award
ends, its amount goes back to the budget and its claim's keys are freed.

An award is paid at most once: a paid payment is never changed again, the import locks the batch
(so two imports of one file run one after the other, and the second finds every row applied),
each row locks its payment, award and budget, and the database's partial unique constraint
`award_paid_once` refuses a second paid payment whatever happens above it.

Lock order, everywhere: batch → payment → award → budget → application (in workflow.transition)
→ the audit chain head. The same order in every service, so two of them never wait on each other.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_finance
from applications.models import Application
from applications.services import _notify_applicant_users
from applications.workflow import TransitionNotAllowed, transition
from audit.services import audit_record
from awards.models import Award
from awards.services import award_cancel
from credit.screening import listed_reason
from credit.selectors import listings_for, screened_code
from measures.amounts import money
from measures.models import Department, Incentive
from portal.numbering import next_number

from .models import DisbursementBatch, Payment
from .selectors import ZERO, eligible_awards, payment_file_rows
from .workflow import BATCH, PAYMENT, FourEyesRefused


class DisbursementError(Exception):
    """A rule refused the action (the API answers 400); `field` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DisbursementError):
    """The caller may not do this (403)."""


class WrongState(DisbursementError):
    """Not possible in the batch's or payment's current state (409)."""


class NothingToPay(WrongState):
    """No final award waits for payment with these filters; `skipped` says which could not be paid."""

    def __init__(self, message: str, *, skipped: list["SkippedAward"]) -> None:
        super().__init__(message)
        self.skipped = skipped


def _require_finance(actor: Any) -> None:
    if not is_finance(actor):
        raise NotAllowed(_("Only finance officers handle disbursement."))


@dataclass(frozen=True)
class SkippedAward:
    application: str
    applicant: str
    reason: str
    code: str = "no_bank_account"  # or credit_listed


@dataclass
class BuildResult:
    batch: DisbursementBatch
    payments: int
    total: Decimal
    skipped: list[SkippedAward] = field(default_factory=list)


def _next_batch_number(year: int) -> str:
    return f"PF-{year}-{next_number(f'disbursement-batch:{year}'):04d}"


def batch_build(
    *, actor: User, department: Department | None = None, incentive: Incentive | None = None
) -> BuildResult:
    """A draft batch of every final award waiting for payment (by department or incentive), each
    payment with the payee's bank account as it is now. Awards whose applicant has no bank account,
    or is on a list of seriously dishonest entities today, are left out and reported with why."""
    _require_finance(actor)
    for attempt in range(5):
        try:
            with transaction.atomic():
                return _build(actor, department, incentive)
        except IntegrityError:
            # A concurrent build took the same batch number (or an award) first: count again.
            if attempt == 4:
                raise WrongState(_("Another batch was being built at the same time: try again.")) from None
    raise AssertionError("unreachable")


def _build(actor: User, department: Department | None, incentive: Incentive | None) -> BuildResult:
    # Lock the candidates, then look again for payments: a build that committed while we waited
    # for the locks made some of them pending (a new statement sees its rows).
    candidates = list(
        eligible_awards(department=department, incentive=incentive)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    taken = set(
        Payment.objects.filter(
            award_id__in=candidates, status__in=[Payment.Status.PENDING, Payment.Status.PAID]
        ).values_list("award_id", flat=True)
    )
    awards = list(
        Award.objects.filter(pk__in=[pk for pk in candidates if pk not in taken], status=Award.Status.FINAL)
        .select_related("application__applicant__bank_account", "application__incentive")
        .order_by("application__reference", "pk")
    )
    # 信用审查: a payee on a list of seriously dishonest entities is left out (its award waits
    # for the department's decision); everybody else is paid in this batch.
    listed = listings_for(screened_code(a.application.applicant) for a in awards)
    payable: list[Award] = []
    skipped: list[SkippedAward] = []
    for award in awards:
        applicant = award.application.applicant
        account = getattr(applicant, "bank_account", None)
        listing = listed.get(applicant.uscc or "")
        if listing is not None:
            reference = award.application.reference or str(award.application_id)
            skipped.append(SkippedAward(reference, applicant.name, listed_reason(listing), code="credit_listed"))
            continue
        if account is None:
            skipped.append(
                SkippedAward(
                    award.application.reference or str(award.application_id),
                    applicant.name,
                    _("The applicant has no bank account on record."),
                )
            )
            continue
        payable.append(award)
    if not payable:
        raise NothingToPay(
            _("No final award is waiting for payment with these filters.")
            if not skipped
            else _("No award can be paid: %(count)s final awards were left out, each for the reason shown.")
            % {"count": len(skipped)},
            skipped=skipped,
        )
    batch = DisbursementBatch.objects.create(
        number=_next_batch_number(timezone.localdate().year),
        department=department,
        incentive=incentive,
        created_by=actor,
    )
    payments = []
    for position, award in enumerate(payable, 1):
        account = award.application.applicant.bank_account
        payments.append(
            Payment(
                batch=batch,
                award=award,
                reference=f"{batch.number}-{position:05d}",
                amount=award.amount,
                payee_name=account.account_name,
                bank_name=account.bank_name,
                account_number=account.account_number,
            )
        )
    Payment.objects.bulk_create(payments)
    PAYMENT.created(*payments)  # counted in the dashboards' tallies
    total = sum((p.amount for p in payments), ZERO)
    audit_record(
        actor=actor,
        action="disbursement.build",
        obj=batch,
        after={
            "number": batch.number,
            "department": department.code if department else None,
            "incentive": incentive.code if incentive else None,
            "payments": len(payments),
            "total": total,
            "applications": [a.application.reference for a in payable],
            "skipped": [s.application for s in skipped],
        },
    )
    return BuildResult(batch=batch, payments=len(payments), total=total, skipped=skipped)


def batch_approve(*, actor: User, batch: DisbursementBatch) -> DisbursementBatch:
    """Four-eyes: a second finance officer, never the one who built it, approves the batch."""
    _require_finance(actor)
    with transaction.atomic():
        locked = DisbursementBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != DisbursementBatch.Status.DRAFT:
            raise WrongState(
                _("Batch %(number)s is already “%(status)s”.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )

        def stamp(approving: DisbursementBatch) -> dict[str, Any]:
            approving.approved_by = actor
            approving.approved_at = timezone.now()
            return {"number": approving.number}

        try:
            locked = BATCH.transition(locked, "approve", actor=actor, changes=stamp, visible_to_applicant=False)
        except FourEyesRefused as refused:
            raise NotAllowed(str(refused)) from None
    return locked


REASON_MAX = 2000


def _check_reason_length(reason: str) -> None:
    """The pages post the reason straight to the service: the limit is kept here, for both."""
    if len(reason) > REASON_MAX:
        raise DisbursementError(
            _("Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).")
            % {"limit_value": REASON_MAX, "show_value": len(reason)},
            field="reason",
        )


def batch_discard(*, actor: User, batch: DisbursementBatch, reason: str) -> DisbursementBatch:
    """A draft batch is discarded (by any finance officer, with a reason): its payments are
    cancelled and their final awards wait for the next batch. An approved batch is never discarded."""
    _require_finance(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DisbursementError(_("Say why the batch is discarded."), field="reason")
    _check_reason_length(reason)
    with transaction.atomic():
        locked = DisbursementBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != DisbursementBatch.Status.DRAFT:
            raise WrongState(
                _("Batch %(number)s is “%(status)s”: only a draft can be discarded.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        payments = list(Payment.objects.select_for_update().filter(batch=locked, status=Payment.Status.PENDING))
        for payment in payments:
            PAYMENT.transition(payment, "cancel", actor=actor, reason=reason, visible_to_applicant=False)
        return BATCH.transition(
            locked,
            "discard",
            actor=actor,
            reason=reason,
            changes=lambda b: {"number": b.number, "cancelled_payments": len(payments)},
            visible_to_applicant=False,
        )


def payment_file_open(*, actor: User, batch: DisbursementBatch, file_format: str) -> Iterator[tuple[Any, ...]]:
    """The rows of an approved batch's payment file; the download is on the record (it holds
    account numbers)."""
    _require_finance(actor)
    batch.refresh_from_db(fields=["status"])
    if batch.status == DisbursementBatch.Status.DRAFT:
        raise WrongState(_("The payment file is available once a second finance officer has approved the batch."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="disbursement.payment_file",
            obj=batch,
            after={"number": batch.number, "format": file_format},
            visible_to_applicant=False,
        )
    return payment_file_rows(batch)


def payment_cancel(*, actor: User, payment: Payment, reason: str, ip_address: str | None = None) -> Payment:
    """A failed payment that will not be retried (finance, with the reason): the award is cancelled
    and its amount goes back to the budget, its claim's keys are freed, the application's payment is
    cancelled and the applicant told. Refused while the award is in a batch again or was paid."""
    _require_finance(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DisbursementError(_("Say why the payment is cancelled."), field="reason")
    _check_reason_length(reason)
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).select_related("batch").get(pk=payment.pk)
        if locked.status != Payment.Status.FAILED:
            raise WrongState(
                _("Payment %(reference)s is “%(status)s”: only a failed payment can be cancelled.")
                % {"reference": locked.reference, "status": locked.get_status_display()}
            )
        again = (
            Payment.objects.filter(award_id=locked.award_id, status__in=[Payment.Status.PENDING, Payment.Status.PAID])
            .select_related("batch")
            .first()
        )
        if again is not None:
            raise WrongState(
                _("The award is in batch %(batch)s again (payment %(reference)s): it is being retried.")
                % {"batch": again.batch.number, "reference": again.reference}
            )
        award = Award.objects.select_for_update().get(pk=locked.award_id)
        if award.status != Award.Status.FINAL:
            raise WrongState(
                _("The award is “%(status)s”: there is nothing to cancel.") % {"status": award.get_status_display()}
            )
        award_cancel(actor=actor, award=award, reason=reason)
        application = Application.objects.select_related("incentive").get(pk=award.application_id)
        facts = {"payment_reference": locked.reference, "batch": locked.batch.number, "amount": locked.amount}
        try:
            transition(
                application,
                "payment_cancel",
                actor=actor,
                reason=reason,
                ip_address=ip_address,
                changes=lambda _locked: facts,
                notify=lambda a: _notify_applicant_users(
                    a,
                    _("Payment for %(reference)s cancelled") % {"reference": a.reference},
                    _("The payment of %(amount)s CNY could not be made and was cancelled: %(reason)s")
                    % {"amount": money(locked.amount), "reason": reason},
                ),
            )
        except TransitionNotAllowed as refused:
            raise WrongState(str(refused)) from None
    return locked
