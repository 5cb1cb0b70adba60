"""The bank's results for a batch: each payment recorded paid or failed once, the budget and the
award moving with it, the applicant told, the disbursement notice made.

    payment_results_check(actor=, batch=, dataset=)        -> ResultsReport   the preview (a dry run)
    results_job_start(actor=, batch=, dataset=)            -> ResultsJob      checks, then the task applies
    results_job_run(job_id=)                               -> ResultsJob      the Celery task; idempotent
    payment_result_record(actor=, payment_id=, result=)    -> outcome of one row
    bank_result_problems(payment, result)                  -> the rules, by field

A file is checked whole in the request (every row, or none, goes on); the rows are then applied by
a Celery job (about 40 ms a row: a large file would hold a web request for minutes), each in its
own transaction with the job's progress, so a crash loses nothing and a second run resumes after
the last row applied. Lock order: the job → the payment and its batch → award → budget → application.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.identifiers import mask_account_number
from accounts.models import User
from accounts.services import notification_send
from applications.models import Application, Notice
from applications.notices import schedule_notice
from applications.services import _notify_applicant_users
from applications.workflow import TransitionNotAllowed, transition
from audit.services import audit_record
from awards.models import Award
from awards.services import award_pay
from budgets.models import Budget
from measures.amounts import money
from portal.outbox import enqueue
from portal.workflow import TransitionNotAllowed as JobNotMoved
from portal.workflow import job_failed

from .models import DisbursementBatch, Payment, ResultsJob
from .services import DisbursementError, WrongState, _require_finance
from .workflow import BATCH, PAYMENT, RESULTS_JOB

logger = logging.getLogger(__name__)


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
        problems["status"] = [_("Enter the status: “paid” or “failed”.")]
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
    # The payment's row only: the batch is read, not locked (the results import locks the batch
    # first, then each payment; locking both here, in the join's order, could deadlock with it).
    payment = Payment.objects.select_for_update(of=("self",)).select_related("batch").get(pk=payment_id)
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
                notify=lambda a: _notify_paid(a, payment),
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
            notify=lambda a: _notify_failed(a, payment),
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
    """The disbursement notice (拨付通知书): an outbox row in the payment's transaction, made after
    commit by the notices' task (idempotent per application, kind and audit event). A notice that
    cannot be made yet never undoes or breaks the recorded payment: the outbox tries it again."""
    schedule_notice(application, Notice.Kind.DISBURSEMENT)


@dataclass
class ResultRow:
    row: int  # the line in the file (the heading is line 1)
    reference: str
    status: str
    outcome: str
    payee: str = ""
    amount: Decimal | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    payment_id: int | None = None  # a valid row's payment, and its result as read
    result: BankResult | None = None

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


def payment_results_check(*, actor: User, batch: DisbursementBatch, dataset: Any) -> ResultsReport:
    """Reads the bank's results for an approved batch (a tablib Dataset, see disbursement.resources)
    and says what each row would do, changing nothing: the preview, and the check before a job."""
    from .resources import PaymentResultResource, prepare_results_dataset, results_report

    _require_finance(actor)
    dataset = prepare_results_dataset(dataset)  # DisbursementError naming the file's problem
    batch.refresh_from_db(fields=["status"])
    if batch.status == DisbursementBatch.Status.DRAFT:
        raise WrongState(_("Results can be recorded once the batch is approved and its payment file sent."))
    resource = PaymentResultResource(batch=batch, actor=actor)
    result = resource.import_data(dataset, dry_run=True, use_transactions=True, rollback_on_validation_errors=True)
    return results_report(batch, resource, dataset, result, dry_run=True)


class ResultsInvalid(DisbursementError):
    """The file has errors (the report names each row's): nothing is applied."""

    def __init__(self, report: ResultsReport) -> None:
        count = len(report.error_rows)
        message = (
            "; ".join(report.file_errors)
            if report.file_errors
            else _("%(count)s rows have errors: nothing was applied.") % {"count": count}
        )
        super().__init__(message, field="file")
        self.report = report


def _stored(row: ResultRow) -> dict[str, Any]:
    result = row.result
    assert result is not None and row.payment_id is not None, "a valid row was read with its payment"
    return {
        "row": row.row,
        "payment": row.payment_id,
        "reference": row.reference,
        "status": result.status,
        "paid_on": result.paid_on.isoformat() if result.paid_on else None,
        "bank_reference": result.bank_reference,
        "failure_reason": result.failure_reason,
        "amount": str(result.amount) if result.amount is not None else None,
    }


def _bank_result(row: dict[str, Any]) -> BankResult:
    return BankResult(
        status=row["status"],
        paid_on=dt.date.fromisoformat(row["paid_on"]) if row["paid_on"] else None,
        bank_reference=row["bank_reference"],
        failure_reason=row["failure_reason"],
        amount=Decimal(row["amount"]) if row["amount"] is not None else None,
    )


def results_job_start(*, actor: User, batch: DisbursementBatch, dataset: Any, file_name: str = "") -> ResultsJob:
    """Checks the file (ResultsInvalid when a row has errors: nothing is applied), then records a
    job with its rows and starts the task after commit. One job at a time per batch."""
    report = payment_results_check(actor=actor, batch=batch, dataset=dataset)
    if not report.valid:
        raise ResultsInvalid(report)
    rows = [_stored(row) for row in report.rows]
    from .tasks import apply_bank_results

    with transaction.atomic():
        locked = DisbursementBatch.objects.select_for_update().get(pk=batch.pk)
        running = ResultsJob.objects.filter(batch=locked, status__in=RESULTS_JOB.states_where(open=True)).first()
        if running is not None:
            raise WrongState(
                _("A results file is being applied to batch %(number)s (%(done)s of %(total)s rows): wait for it.")
                % {"number": locked.number, "done": running.done, "total": running.total}
            )
        job = ResultsJob.objects.create(
            batch=locked,
            file_name=file_name[:255],
            rows=rows,
            total=len(rows),
            language=translation.get_language() or "zh-hans",
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            action="disbursement.results_job",
            obj=locked,
            after={"job": job.pk, "file": file_name, "rows": len(rows), **report.counts},
            visible_to_applicant=False,
        )
        # Handed to the worker through the outbox: a broker that is down delays the job, never loses it.
        enqueue(apply_bank_results, {"job_id": job.pk}, key=f"results-job:{job.pk}")
    return job


def results_job_run(*, job_id: int) -> ResultsJob:
    """Applies the job's rows after the last one applied, one transaction each, then closes the
    batch when no payment waits for the bank. A job already done is left as it is (a task may run
    twice); a crash is recorded on the job, which may be run again."""
    job = ResultsJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status == ResultsJob.Status.DONE:
        return job
    try:
        job = RESULTS_JOB.transition(job, "start", actor=None, changes=_started)
    except JobNotMoved:  # finished by another run meanwhile
        return ResultsJob.objects.get(pk=job_id)
    actor = job.requested_by
    try:
        with translation.override(job.language):
            for index, row in enumerate(job.rows):
                if index >= job.done:  # the rows before were applied by an earlier run
                    _apply_row(job.pk, index, row, actor)
            return RESULTS_JOB.transition(job, "finish", actor=None, changes=lambda locked: _finished(locked, actor))
    except JobNotMoved:  # another run finished it first
        return ResultsJob.objects.get(pk=job_id)
    except Exception as exc:
        logger.exception("bank results job %s stopped", job_id)
        return job_failed(RESULTS_JOB, job, exc, field="failure")


def _started(job: ResultsJob) -> dict[str, Any]:
    job.started_at, job.failure = timezone.now(), ""
    return {}


COUNTERS = {Outcome.PAID: "paid", Outcome.FAILED: "failed", Outcome.ALREADY_APPLIED: "already"}


def _apply_row(job_id: int, index: int, row: dict[str, Any], actor: User) -> None:
    """One row and the job's progress, in one transaction: both are kept, or neither."""
    with transaction.atomic():
        done, errors = ResultsJob.objects.select_for_update().values_list("done", "errors").get(pk=job_id)
        if done != index:
            return  # another run of the task applied it meanwhile
        changes: dict[str, Any] = {"done": index + 1}
        try:
            with transaction.atomic():  # a refused row rolls back alone; the job records why
                outcome = payment_result_record(actor=actor, payment_id=row["payment"], result=_bank_result(row))
        except DisbursementError as refused:
            changes["errors"] = [
                *errors,
                {"row": row["row"], "reference": row["reference"], "message": refused.message},
            ]
        else:
            changes[COUNTERS[outcome]] = F(COUNTERS[outcome]) + 1
        ResultsJob.objects.filter(pk=job_id).update(**changes)


def _finished(job: ResultsJob, actor: User) -> dict[str, Any]:
    """On the locked job: closes the batch when no payment waits for the bank, and records the results."""
    batch = DisbursementBatch.objects.select_for_update().get(pk=job.batch_id)
    waiting = Payment.objects.filter(batch=batch, status=Payment.Status.PENDING).exists()
    if not waiting and batch.status == DisbursementBatch.Status.APPROVED:
        batch = BATCH.transition(batch, "close", actor=actor, visible_to_applicant=False)
    if job.paid or job.failed or job.errors:
        audit_record(
            actor=actor,
            action="disbursement.results",
            obj=batch,
            after={
                "file": job.file_name,
                "job": job.pk,
                Outcome.PAID: job.paid,
                Outcome.FAILED: job.failed,
                Outcome.ALREADY_APPLIED: job.already,
                "refused": len(job.errors),
                "status": batch.status,
            },
            visible_to_applicant=False,
        )
    job.finished_at = timezone.now()
    return {}
