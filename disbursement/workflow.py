"""The states and moves of disbursement batches and payments (portal/workflow.py runs them).

A batch is built as a draft by one finance officer, approved by another (four-eyes), and closed
when the bank's results for all its payments are recorded. A payment waits for the bank, then is
paid or failed, once: a failed award is paid again in a new batch, never by changing the old row
(or finance cancels it: the award's and the application's tables say so). A job applying a bank's
results file moves like every background job (portal/workflow.py's shared table).
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.workflow import Role
from portal.workflow import JOB_STATES, JOB_TRANSITIONS, State, TransitionNotAllowed, Workflow, nobody, register
from portal.workflow import t as _t

from .models import DisbursementBatch, Payment, ResultsJob


class FourEyesRefused(TransitionNotAllowed):
    """The officer who built the batch may not approve it."""


def not_the_builder(actor: Any, batch: DisbursementBatch) -> None:
    if actor is not None and batch.created_by_id == actor.pk:
        raise FourEyesRefused(_("Another finance officer must approve the batch: you built it."))


def _finance_roles(actor: Any, obj: Any) -> set[str]:
    from accounts.permissions import is_finance

    return {Role.FINANCE} if is_finance(actor) else set()


B = DisbursementBatch.Status
BATCH: Workflow[DisbursementBatch] = register(
    Workflow(
        name="disbursement",  # the audit's "disbursement.approve", as before the table existed
        model=DisbursementBatch,
        states={
            B.DRAFT: State(open=True, tone="neutral"),
            B.APPROVED: State(open=True, tone="progress"),
            B.CLOSED: State(tone="done"),
            B.DISCARDED: State(tone="neutral"),
        },
        transitions=(
            _t("approve", {B.DRAFT}, B.APPROVED, {Role.FINANCE}, gettext_lazy("Approve"), guard=not_the_builder),
            _t("close", {B.APPROVED}, B.CLOSED, {Role.FINANCE}, gettext_lazy("Close")),
            # A draft nobody approved yet: its awards wait for the next batch.
            _t("discard", {B.DRAFT}, B.DISCARDED, {Role.FINANCE}, gettext_lazy("Discard the batch")),
        ),
        roles_for=_finance_roles,
    )
)

P = Payment.Status
PAYMENT: Workflow[Payment] = register(
    Workflow(
        name="payment",
        model=Payment,
        states={
            P.PENDING: State(open=True, tone="progress"),
            P.PAID: State(tone="done"),
            P.FAILED: State(tone="negative"),
            P.CANCELLED: State(tone="neutral"),
        },
        transitions=(
            _t("pay", {P.PENDING}, P.PAID, {Role.FINANCE}, gettext_lazy("Record payment")),
            _t("fail", {P.PENDING}, P.FAILED, {Role.FINANCE}, gettext_lazy("Record failed payment")),
            _t("cancel", {P.PENDING}, P.CANCELLED, {Role.FINANCE}, gettext_lazy("Cancel with the batch")),
        ),
        roles_for=_finance_roles,
        select_related=("batch", "award__application"),  # year and incentive: the dashboards' tallies
    )
)

RESULTS_JOB: Workflow[ResultsJob] = register(
    Workflow(
        name="results_job",
        model=ResultsJob,
        states=JOB_STATES,
        transitions=JOB_TRANSITIONS,
        roles_for=nobody,
        select_related=("batch",),
        audited=False,  # the request and the results are on the batch's audit trail; progress is not
    )
)
