"""An export job's states and moves: the table every background job shares (portal/workflow.py's
JOB_STATES and JOB_TRANSITIONS). Only the task moves a job (actor None: the system). Not audited
move by move: the request and each download are on the audit trail, progress is not a decision."""

from portal.workflow import JOB_STATES, JOB_TRANSITIONS, Workflow, nobody, register

from .models import ExportJob

STATES = JOB_STATES
TRANSITIONS = JOB_TRANSITIONS


WORKFLOW: Workflow[ExportJob] = register(
    Workflow(
        name="export_job",
        model=ExportJob,
        states=STATES,
        transitions=TRANSITIONS,
        roles_for=nobody,
        select_related=("department",),
        audited=False,
    )
)
