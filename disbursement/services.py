"""Disbursement (拨付): budgets as finance sees them, batches of final awards, the payment file for
the bank and the bank's results. Services and the reads shared by the pages and the API.

    batch_build(actor=, department=, incentive=)      -> BuildResult   a finance officer
    batch_approve(actor=, batch=)                     -> batch         another finance officer (four-eyes)
    payment_file_open(actor=, batch=, file_format=)   -> rows          audited; CSV streamed, XLSX write-only
    payment_results_import(actor=, batch=, dataset=, dry_run=)  -> ResultsReport
    payment_result_record(actor=, payment_id=, result=)        -> outcome of one row (the resource calls it)

An award is paid at most once: a paid payment is never changed again, the import locks the batch
(so two imports of one file run one after the other, and the second finds every row applied),
each row locks its payment, award and budget, and the database's partial unique constraint
`award_paid_once` refuses a second paid payment whatever happens above it.

Lock order, everywhere: batch → payment → award → budget → application (in workflow.transition)
→ the audit chain head. The same order in every service, so two of them never wait on each other.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.identifiers import mask_account_number
from accounts.models import User
from accounts.permissions import is_finance
from accounts.services import notification_send
from applications.models import Application, Notice
from applications.services import _notify_applicant_users
from applications.workflow import TransitionNotAllowed, transition
from audit.services import audit_record
from awards.models import Award
from awards.services import award_pay
from budgets.models import Budget
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
    payment with the payee's bank account as it is now. Awards whose applicant has no bank account
    are left out and reported."""
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
    awards = (
        Award.objects.filter(pk__in=[pk for pk in candidates if pk not in taken], status=Award.Status.FINAL)
        .select_related("application__applicant__bank_account", "application__incentive")
        .order_by("application__reference", "pk")
    )
    payable: list[Award] = []
    skipped: list[SkippedAward] = []
    for award in awards:
        applicant = award.application.applicant
        account = getattr(applicant, "bank_account", None)
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
            else _("No award can be paid: %(count)s final awards have no bank account on record.")
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


@dataclass(frozen=True)
class BankResult:
    """One row of the bank's results file, parsed."""

    status: str  # Payment.Status.PAID or FAILED
    paid_on: dt.date | None = None
    bank_reference: str = ""
    failure_reason: str = ""
    amount: Decimal | None = None  # as the bank states it, when it does: must be the payment's


def bank_result_problems(payment: Payment, result: BankResult) -> dict[str, list[str]]:
    """The bank's result checked against the payment, field by field: the rules the results
    import shows per row and `payment_result_record` enforces, whoever calls it."""
    problems: dict[str, list[str]] = {}
    if result.status == Payment.Status.PAID:
        if result.paid_on is None:
            problems["paid_date"] = [_("Enter the date the bank paid (YYYY-MM-DD).")]
        elif result.paid_on > timezone.localdate():
            problems["paid_date"] = [_("The paid date %(day)s is in the future.") % {"day": result.paid_on.isoformat()}]
        if not result.bank_reference:
            problems["bank_reference"] = [_("Enter the bank's reference for the transfer.")]
    elif result.status == Payment.Status.FAILED:
        if not result.failure_reason:
            problems["failure_reason"] = [_("Enter the reason the bank gives for the failure.")]
    else:
        problems["status"] = [_("Enter the status: paid or failed.")]
    if result.amount is not None and result.amount != payment.amount:
        problems["amount"] = [
            _("The amount %(given)s differs from the payment's %(amount)s CNY.")
            % {"given": money(result.amount), "amount": money(payment.amount)}
        ]
    if result.status in Payment.Status.values and payment.status not in (Payment.Status.PENDING, result.status):
        problems["status"] = [
            _("Payment %(reference)s is already recorded as “%(recorded)s”; it cannot become “%(status)s”.")
            % {
                "reference": payment.reference,
                "recorded": payment.get_status_display(),
                "status": Payment.Status(result.status).label,
            }
        ]
    return problems


class Outcome:
    PAID = "paid"
    FAILED = "failed"
    ALREADY_APPLIED = "already_applied"
    WILL_PAY = "will_pay"
    WILL_FAIL = "will_fail"
    INVALID = "invalid"


OUTCOME_LABELS = {
    Outcome.PAID: gettext_lazy("Recorded as paid"),
    Outcome.FAILED: gettext_lazy("Recorded as failed"),
    Outcome.ALREADY_APPLIED: gettext_lazy("Already recorded: no change"),
    Outcome.WILL_PAY: gettext_lazy("Will be recorded as paid"),
    Outcome.WILL_FAIL: gettext_lazy("Will be recorded as failed"),
    Outcome.INVALID: gettext_lazy("Not valid"),
}


def payment_result_record(*, actor: User, payment_id: int, result: BankResult) -> str:
    """Records the bank's result for one payment. A result already recorded changes nothing
    (Outcome.ALREADY_APPLIED); a payment once paid or failed never takes the other result."""
    _require_finance(actor)
    try:
        with transaction.atomic():
            return _record(actor, payment_id, result)
    except IntegrityError:
        # award_paid_once (or the budget's check): the award is paid already, by another payment.
        raise WrongState(_("This award is already paid."), field="status") from None


def _record(actor: User, payment_id: int, result: BankResult) -> str:
    payment = Payment.objects.select_for_update().select_related("batch").get(pk=payment_id)
    if payment.batch.status == DisbursementBatch.Status.DRAFT:
        raise WrongState(_("The batch is not approved yet."))
    if payment.status == result.status:
        return Outcome.ALREADY_APPLIED
    if payment.status != Payment.Status.PENDING:
        raise WrongState(
            _("Payment %(reference)s is already recorded as “%(status)s”; it cannot change.")
            % {"reference": payment.reference, "status": payment.get_status_display()},
            field="status",
        )
    problems = bank_result_problems(payment, result)
    if problems:
        field_name, messages = next(iter(problems.items()))
        raise DisbursementError(messages[0], field=field_name)
    award = Award.objects.select_for_update().get(pk=payment.award_id)
    application = Application.objects.select_related("incentive").get(pk=award.application_id)
    extras = {
        "payment_reference": payment.reference,
        "batch": payment.batch.number,
        "amount": payment.amount,
        "payee": payment.payee_name,
        "bank_name": payment.bank_name,
        "account_masked": mask_account_number(payment.account_number),
    }
    if result.status == Payment.Status.PAID:
        if award.status != Award.Status.FINAL:
            raise WrongState(
                _("The award is “%(status)s”, not final: it cannot be paid.") % {"status": award.get_status_display()},
                field="status",
            )
        budget = Budget.objects.select_for_update().get(pk=award.budget_id)
        before = {"committed": budget.committed, "paid": budget.paid}
        budget.committed -= payment.amount
        budget.paid += payment.amount
        budget.save(update_fields=["committed", "paid", "updated_at"])
        payment = PAYMENT.transition(
            payment,
            "pay",
            actor=actor,
            changes=lambda p: _paid(p, result),
            visible_to_applicant=False,
        )
        award_pay(actor=actor, award=award)
        audit_record(
            actor=actor,
            action="budget.pay",
            obj=budget,
            before=before,
            after={
                "committed": budget.committed,
                "paid": budget.paid,
                "payment": payment.reference,
                "application": application.reference,
                "amount": payment.amount,
            },
        )
        paid_extras = {**extras, "paid_on": result.paid_on, "bank_reference": result.bank_reference}
        try:
            paid = transition(
                application,
                "pay",
                actor=actor,
                changes=lambda locked: paid_extras,
                on_commit=lambda a: _notify_paid(a, payment),
            )
        except TransitionNotAllowed as refused:
            raise WrongState(str(refused), field="status") from None
        _schedule_disbursement_notice(paid)
        return Outcome.PAID

    payment = PAYMENT.transition(
        payment,
        "fail",
        actor=actor,
        reason=result.failure_reason,
        changes=lambda p: _failed(p, result),
        visible_to_applicant=False,
    )
    try:
        transition(
            application,
            "payment_fail",
            actor=actor,
            reason=result.failure_reason,
            changes=lambda locked: {**extras, "failure_reason": result.failure_reason},
            on_commit=lambda a: _notify_failed(a, payment),
        )
    except TransitionNotAllowed as refused:
        raise WrongState(str(refused), field="status") from None
    return Outcome.FAILED


def _paid(payment: Payment, result: "BankResult") -> dict[str, Any]:
    payment.paid_on = result.paid_on
    payment.bank_reference = result.bank_reference
    return {"paid_on": result.paid_on, "bank_reference": result.bank_reference}


def _failed(payment: Payment, result: "BankResult") -> dict[str, Any]:
    payment.failure_reason = result.failure_reason
    return {"failure_reason": result.failure_reason}


def _notify_paid(application: Application, payment: Payment) -> None:
    _notify_applicant_users(
        application,
        _("Award for %(reference)s paid") % {"reference": application.reference},
        _(
            "%(amount)s CNY was paid to the account %(account)s at %(bank)s on %(day)s "
            "(bank reference %(bank_reference)s). The disbursement notice is on the application's page."
        )
        % {
            "amount": money(payment.amount),
            "account": mask_account_number(payment.account_number),
            "bank": payment.bank_name,
            "day": payment.paid_on.isoformat() if payment.paid_on else "",
            "bank_reference": payment.bank_reference,
        },
    )


def _notify_failed(application: Application, payment: Payment) -> None:
    link = reverse("accounts:bank_account")
    for user in User.objects.filter(applicant_id=application.applicant_id, is_active=True):
        notification_send(
            user=user,
            subject=_("Payment for %(reference)s failed: check your bank account")
            % {"reference": application.reference},
            body=_(
                "The bank could not pay %(amount)s CNY to the account %(account)s at %(bank)s: %(reason)s. "
                "Check and correct your bank account details; the payment will be made again in a new batch."
            )
            % {
                "amount": money(payment.amount),
                "account": mask_account_number(payment.account_number),
                "bank": payment.bank_name,
                "reason": payment.failure_reason,
            },
            link=link,
        )


def _schedule_disbursement_notice(application: Application) -> None:
    """The disbursement notice (拨付通知书), made after commit by the notices' task (idempotent per
    application, kind and audit event). Robust: a notice that cannot be made yet never undoes or
    breaks the recorded payment; the task can be run again for the same event."""
    from applications.tasks import generate_notice

    sequence = application.audit_event.sequence
    application_id = application.pk
    transaction.on_commit(
        lambda: generate_notice.delay(application_id, Notice.Kind.DISBURSEMENT, sequence), robust=True
    )


@dataclass
class ResultRow:
    row: int  # the line in the file (the heading is line 1)
    reference: str
    status: str
    outcome: str
    payee: str = ""
    amount: Decimal | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome))


@dataclass
class ResultsReport:
    batch: DisbursementBatch
    dry_run: bool
    rows: list[ResultRow]
    file_errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.file_errors and all(not r.errors for r in self.rows)

    @property
    def applied(self) -> bool:
        return not self.dry_run and self.valid

    @property
    def error_rows(self) -> list[ResultRow]:
        return [r for r in self.rows if r.errors]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {
            key: self.count(key)
            for key in (
                Outcome.PAID,
                Outcome.FAILED,
                Outcome.ALREADY_APPLIED,
                Outcome.WILL_PAY,
                Outcome.WILL_FAIL,
                Outcome.INVALID,
            )
        }


def payment_results_import(
    *, actor: User, batch: DisbursementBatch, dataset: Any, dry_run: bool, file_name: str = ""
) -> ResultsReport:
    """Reads the bank's results for an approved batch (a tablib Dataset, see awards.resources).

    A dry run changes nothing and says what each row would do. Otherwise every row is applied, or,
    when any row is invalid, none. The batch row is locked for the whole import: a second import of
    the same file waits, then finds each row already recorded.
    """
    from .resources import PaymentResultResource, prepare_results_dataset, results_report

    _require_finance(actor)
    dataset = prepare_results_dataset(dataset)  # DisbursementError naming the file's problem
    with transaction.atomic():
        locked = DisbursementBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == DisbursementBatch.Status.DRAFT:
            raise WrongState(_("Results can be recorded once the batch is approved and its payment file sent."))
        resource = PaymentResultResource(batch=locked, actor=actor)
        result = resource.import_data(
            dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
        report = results_report(locked, resource, dataset, result, dry_run=dry_run)
        if report.applied:
            changed = report.count(Outcome.PAID) + report.count(Outcome.FAILED)
            all_recorded = not Payment.objects.filter(batch=locked, status=Payment.Status.PENDING).exists()
            if all_recorded and locked.status == DisbursementBatch.Status.APPROVED:
                locked = BATCH.transition(locked, "close", actor=actor, visible_to_applicant=False)
            if changed:
                audit_record(
                    actor=actor,
                    action="disbursement.results",
                    obj=locked,
                    after={"file": file_name, **report.counts, "status": locked.status},
                    visible_to_applicant=False,
                )
        report.batch = locked
    return report
