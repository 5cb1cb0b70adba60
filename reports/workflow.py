"""An export job's states and moves (portal/workflow.py runs them). Only the task moves a job
(actor None: the system). Not audited move by move: the request and each download are on the
audit trail, progress is not a decision."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.workflow import SYSTEM, State, Workflow, register
from portal.workflow import t as _t

from .models import ExportJob

S = ExportJob.Status
STATES: dict[str, State] = {
    S.QUEUED: State(open=True, tone="neutral"),
    S.RUNNING: State(open=True, tone="progress"),
    S.DONE: State(tone="done"),
    S.FAILED: State(tone="negative"),
}
TRANSITIONS = (
    # A task may run twice (acks late): a running job starts again; a failed one may be retried.
    _t("start", {S.QUEUED, S.RUNNING, S.FAILED}, S.RUNNING, {SYSTEM}, _("Start")),
    _t("finish", {S.RUNNING}, S.DONE, {SYSTEM}, _("Finish")),
    _t("fail", {S.QUEUED, S.RUNNING}, S.FAILED, {SYSTEM}, _("Fail")),
)


def _nobody(actor: Any, job: ExportJob) -> set[str]:
    return set()  # people request and download jobs; only the task moves them


WORKFLOW: Workflow[ExportJob] = register(
    Workflow(
        name="export_job",
        model=ExportJob,
        states=STATES,
        transitions=TRANSITIONS,
        roles_for=_nobody,
        select_related=("department",),
        audited=False,
    )
)
