"""Events of applications that the money apps react to (see portal/hooks.py), and the review
steps a higher app adds to the officials' page and API (REVIEW_STEPS)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.hooks import Hook

# actor=User, application=Application (locked). Inside the approval's transaction, before the
# application becomes approved: the awards app commits the amount against the budget. A receiver
# refuses by raising an ApplicationError; then nothing changes.
application_approving = Hook("application_approving")

# actor=User, application=Application (locked). Inside the submission's transaction, after the
# form is complete: an app above (recovery) refuses a banned applicant by raising an
# ApplicationError (with its `code`); then nothing changes. Credit screening, below this app, is
# called directly (services.refuse_if_listed).
application_submitting = Hook("application_submitting")

# kind=Notice.Kind, application=Application, event=AuditEvent (the one the notice is for) -> dict of
# facts, or None when the kind is not the receiver's. The disbursement app gives the paid payment's
# facts for the disbursement notice, the recovery app the recovery decided by the event.
notice_facts = Hook("notice_facts")


@dataclass(frozen=True)
class ReviewStep:
    """A step of the applications' table that a higher app takes (the recovery app's `recover`):
    the officials' application page shows its form beside the review's own actions, and the review
    API offers it at /api/v1/applications/{reference}/<api_name>/. The higher app owns the rules
    (its service), the page the form posts to and the API view."""

    action: str  # the workflow action (applications/workflow.py's table)
    api_name: str  # the API's name for it
    api_view: str  # the dotted path of its DRF view class, imported when the URLs are built
    form: Callable[[Any, Any], Any]  # (application, user) -> the unbound form the page shows
    post_url: Callable[[Any], str]  # application -> where that form posts
    hint: Any = ""  # lazy text under the step's heading


# action -> ReviewStep, filled by the higher apps' AppConfig.ready() through review_step_register.
REVIEW_STEPS: dict[str, ReviewStep] = {}


def review_step_register(step: ReviewStep) -> None:
    REVIEW_STEPS[step.action] = step


# record=StageRecord. Inside the transition's transaction, when an application leaves a timed stage
# (applications/stages.py wrote the record): the reports app adds it to its stage tallies.
stage_ended = Hook("stage_ended")


# application=Application -> a list of (label, text) the applicant's page of a submitted
# application shows in its key facts: the experts app says whether the expert review is under
# way or done (never the scores or the experts' names).
applicant_facts = Hook("applicant_facts")


@dataclass(frozen=True)
class ApplicationPanel:
    """A section a higher app adds to an application's page (the decisions app: its site checks)."""

    template: str  # included with `panel` = this panel
    context: dict[str, Any]


# application=Application, user=the viewer, for_official=bool -> list[ApplicationPanel] (or None).
# Asked by the officials' review page and the applicant's page of a submitted application.
application_panels = Hook("application_panels")


def panels_for_application(application: Any, user: Any, *, for_official: bool) -> list[ApplicationPanel]:
    panels: list[ApplicationPanel] = []
    for answer in application_panels.send(application=application, user=user, for_official=for_official):
        panels.extend(answer or [])
    return panels
